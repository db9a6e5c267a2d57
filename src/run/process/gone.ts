// Before a job restarted on request starts again (SPEC §11): nothing of its stopped attempt may be
// left — not its process group, nor a process that left the group (setsid, double fork) but still
// carries the attempt's identity in its environment (run id, job, attempt).
import { readFileSync } from "node:fs";
import { hasProc, liveGroupIds, procPids, signalGroup, signalProcess } from "./spawn.js";

const POLL_MS = 25;
/** After SIGKILL, how long to wait for what cannot die at once (uninterruptible sleep) before going on. */
const AFTER_KILL_MS = 5000;

/**
 * Waits until the group is empty and no process carries every one of `identity` (`NAME=value`
 * entries); SIGKILLs what is left once `killAfterMs` has passed. `owns` says whether the group is
 * still provably the run's (ids are reused once it is empty).
 */
export async function attemptGone(
  pgid: number,
  identity: readonly string[],
  killAfterMs: number,
  owns: (pgid: number) => boolean,
): Promise<void> {
  const killAt = Date.now() + killAfterMs;
  const giveUpAt = killAt + AFTER_KILL_MS;
  for (;;) {
    // Zombies do not count: they are dead, and where nobody reaps them they would never go.
    const group = owns(pgid) && (!hasProc() || liveGroupIds().has(pgid));
    const escapees = hasProc() ? carryingAll(identity) : [];
    if ((!group && escapees.length === 0) || Date.now() >= giveUpAt) return;
    if (Date.now() >= killAt) {
      if (group) signalGroup(pgid, "SIGKILL");
      for (const pid of escapees) signalProcess(pid, "SIGKILL");
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Live processes whose environment holds every entry, from /proc. */
function carryingAll(entries: readonly string[]): number[] {
  const wanted = entries.map((e) => Buffer.from(`\0${e}\0`));
  const out: number[] = [];
  for (const pid of procPids()) {
    if (pid === process.pid) continue;
    let env: Buffer;
    try {
      env = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`), Buffer.from([0])]);
    } catch {
      continue;
    }
    if (wanted.every((w) => env.includes(w))) out.push(pid);
  }
  return out;
}
