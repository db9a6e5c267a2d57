// No orphans: at the end of the run, the process groups of its jobs that still have members are
// stopped (stop signal, grace, SIGKILL), and escapees that left their group (setsid, double fork)
// are found by the run id in their environment and killed. A watchdog process outlives a procflow
// that is SIGKILLed and does the same when its pipe from procflow closes without a goodbye.
//
// Process ids are reused (pid_max is 32768 on many machines), so a group id alone never proves that
// a group is ours: on Linux a group is killed only while one of its live members carries the run id;
// without /proc (macOS) only groups that have never been seen empty are, and a group is forgotten as
// soon as it is seen empty, since from then on its id may name someone else's group.
import { spawn } from "node:child_process";
import type { Socket } from "node:net";
import type { Writable } from "node:stream";
import { groupExists, hasProc, processesCarrying, procInfo, signalGroup, signalProcess } from "./spawn.js";

const POLL_MS = 25;

// The watchdog. It reads "PGID" lines (a group to kill) and "-PGID" lines (that group is gone), until
// "bye" (a clean end: exit) or EOF (procflow died). Then, three rounds to catch late forks: with /proc,
// every process carrying the run id, and its group; without /proc, the groups it was told of (only
// then is it told: each line wakes the shell, which costs a fan-out of short jobs ~5 %).
const WATCHDOG = `
trap '' INT TERM HUP
run=$1
shift
groups=" "
gone=" "
while IFS= read -r line; do
  case "$line" in
    bye) exit 0 ;;
    -*) gone="$gone\${line#-} " ;;
    *[!0-9]*|"") ;;
    *) groups="$groups$line " ;;
  esac
done
rm -rf -- "$@"
for round in 1 2 3; do
  if [ -d /proc/self ]; then
    for f in $(grep -lxzF "PROCFLOW_RUN_ID=$run" /proc/[0-9]*/environ 2>/dev/null); do
      p=\${f#/proc/}; p=\${p%/environ}
      [ "$p" = "$$" ] && continue
      stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
      set -- \${stat##*") "}
      [ "\${3:-0}" -gt 1 ] && kill -KILL -- "-$3" 2>/dev/null
      kill -KILL "$p" 2>/dev/null
    done
  else
    for g in $groups; do
      case "$gone" in *" $g "*) ;; *) kill -KILL -- "-$g" 2>/dev/null ;; esac
    done
  fi
  sleep 0.2
done
`;

interface Group {
  readonly pgid: number;
  readonly stopSignal: NodeJS.Signals;
  readonly killTimeoutMs: number;
}

export class Reaper {
  /** Groups that may still have members, by group id. */
  private readonly groups = new Map<number, Group>();
  private watchdog: Writable | null = null;
  private readonly entry: string;
  /** procflow's own group, never to be signalled (a nested run shares its parent job's group). */
  private readonly ownGroup = procInfo(process.pid)?.pgid;

  constructor(runId: string) {
    this.entry = `PROCFLOW_RUN_ID=${runId}`;
  }

  /** Starts the watchdog (Linux and macOS); `leftovers` are files (or folders) it removes if procflow dies. */
  start(leftovers: readonly string[] = []): void {
    if (process.platform === "win32") return;
    const child = spawn(
      "/bin/sh",
      ["-c", WATCHDOG, "procflow-watchdog", this.entry.slice(this.entry.indexOf("=") + 1), ...leftovers],
      {
        detached: true,
        stdio: ["pipe", "ignore", "ignore"],
      },
    );
    child.on("error", () => {
      this.watchdog = null;
    });
    child.unref();
    child.stdin.on("error", () => {});
    // The pipe is a socket: it must not keep procflow's event loop alive either.
    (child.stdin as Socket).unref();
    this.watchdog = child.stdin;
  }

  track(pgid: number, stopSignal: NodeJS.Signals, killTimeoutMs: number): void {
    this.groups.set(pgid, { pgid, stopSignal, killTimeoutMs });
    if (!hasProc()) this.watchdog?.write(`${pgid}\n`);
  }

  /**
   * A job's process has ended: without /proc, forget its group once it is empty (its id may be
   * reused from now on). With /proc, groups are told apart by the run id of their members anyway.
   */
  settled(pgid: number): void {
    if (hasProc() || !this.groups.has(pgid) || groupExists(pgid)) return;
    this.groups.delete(pgid);
    this.watchdog?.write(`-${pgid}\n`);
  }

  /**
   * At the end of the run: the groups with live members get their stop signal, then SIGKILL after
   * their grace; then the escapees are killed. Resolves when nothing of the run is left (or after a
   * last SIGKILL round, for processes that cannot be killed at all).
   */
  async cleanup(): Promise<void> {
    if (hasProc() && processesCarrying(this.entry).length === 0) return; // the common end: nothing left
    let live = this.liveGroups();
    if (live.length > 0) {
      for (const g of live) signalGroup(g.pgid, g.stopSignal);
      const deadline = Date.now() + Math.max(...live.map((g) => g.killTimeoutMs));
      while (live.length > 0 && Date.now() < deadline) {
        await sleep(POLL_MS);
        const still = new Set(this.liveGroups().map((g) => g.pgid));
        live = live.filter((g) => still.has(g.pgid));
      }
      for (const g of live) signalGroup(g.pgid, "SIGKILL");
    }
    await this.sweep();
  }

  /** Kills everything of the run at once (a second interrupt, an internal error). */
  async killAll(): Promise<void> {
    for (const g of this.liveGroups()) signalGroup(g.pgid, "SIGKILL");
    await this.sweep();
  }

  /** Tells the watchdog that the run ended cleanly. */
  close(): void {
    if (!this.watchdog) return;
    this.watchdog.end("bye\n");
    this.watchdog = null;
  }

  /** Whether a tracked group still has members and is provably the run's. */
  owns(pgid: number): boolean {
    return this.groups.has(pgid) && this.liveGroups().some((g) => g.pgid === pgid);
  }

  /** Tracked groups that still have live members and are provably the run's. */
  private liveGroups(): Group[] {
    if (this.groups.size === 0) return [];
    if (!hasProc()) return [...this.groups.values()].filter((g) => groupExists(g.pgid));
    const ours = new Set<number>();
    for (const p of processesCarrying(this.entry)) ours.add(p.pgid);
    return [...this.groups.values()].filter((g) => ours.has(g.pgid));
  }

  /** SIGKILLs the run's processes, and the groups they are in, until none is left. */
  private async sweep(): Promise<void> {
    if (!hasProc()) return;
    for (let round = 0; round < 40; round++) {
      const left = processesCarrying(this.entry);
      if (left.length === 0) return;
      for (const p of left) {
        if (p.pgid !== this.ownGroup) signalGroup(p.pgid, "SIGKILL");
        signalProcess(p.pid, "SIGKILL");
      }
      await sleep(POLL_MS);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
