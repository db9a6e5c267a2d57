// No orphans: every process group the run creates is tracked; at the end of the run the groups still
// alive are stopped (stop signal, grace, SIGKILL) and escapees that left their group (setsid, double
// fork) are found by the run id in their environment and killed. A watchdog process outlives a
// procflow that is SIGKILLed and does the same when its pipe from procflow closes without a goodbye.
import { spawn } from "node:child_process";
import type { Writable } from "node:stream";
import { groupAlive, hasEnv, hasProc, liveProcesses, signalGroup, signalProcess } from "./spawn.js";

const POLL_MS = 25;

// The watchdog: reads "pgid" lines; on "bye" it exits, on EOF (procflow died) it kills every group
// it was told of, then every process that carries the run id, three rounds to catch late forks.
const WATCHDOG = `
trap '' INT TERM HUP
groups=""
while IFS= read -r line; do
  case "$line" in
    bye) exit 0 ;;
    *[!0-9]*|"") ;;
    *) groups="$groups $line" ;;
  esac
done
for round in 1 2 3; do
  for g in $groups; do kill -KILL -- "-$g" 2>/dev/null; done
  for f in $(grep -lxzF "PROCFLOW_RUN_ID=$1" /proc/[0-9]*/environ 2>/dev/null); do
    p=\${f#/proc/}; p=\${p%/environ}
    [ "$p" != "$$" ] && kill -KILL "$p" 2>/dev/null
  done
  sleep 0.2
done
`;

interface Group {
  readonly pgid: number;
  readonly stopSignal: NodeJS.Signals;
  readonly killTimeoutMs: number;
}

export class Reaper {
  private readonly groups: Group[] = [];
  private watchdog: Writable | null = null;

  constructor(private readonly runId: string) {}

  /** Starts the watchdog (Linux and macOS; the escapee sweep needs /proc). */
  start(): void {
    if (process.platform === "win32") return;
    const child = spawn("/bin/sh", ["-c", WATCHDOG, "procflow-watchdog", this.runId], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    child.on("error", () => {
      this.watchdog = null;
    });
    child.unref();
    child.stdin.on("error", () => {});
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    this.watchdog = child.stdin;
  }

  track(pgid: number, stopSignal: NodeJS.Signals, killTimeoutMs: number): void {
    this.groups.push({ pgid, stopSignal, killTimeoutMs });
    this.watchdog?.write(`${pgid}\n`);
  }

  /**
   * At the end of the run: the groups with live members get their stop signal, then SIGKILL after
   * their grace; then the escapees are killed. Resolves when nothing of the run is left (or after a
   * last SIGKILL round, for processes that cannot be killed at all).
   */
  async cleanup(): Promise<void> {
    let live = this.liveGroups();
    if (live.length > 0) {
      for (const g of live) signalGroup(g.pgid, g.stopSignal);
      const deadline = Date.now() + Math.max(...live.map((g) => g.killTimeoutMs));
      while (live.length > 0 && Date.now() < deadline) {
        await sleep(POLL_MS);
        live = live.filter((g) => groupAlive(g.pgid));
      }
      for (const g of live) signalGroup(g.pgid, "SIGKILL");
    }
    await this.sweep();
  }

  /** Kills everything of the run at once (a second interrupt). */
  async killAll(): Promise<void> {
    for (const g of this.groups) signalGroup(g.pgid, "SIGKILL");
    await this.sweep();
  }

  /** Tells the watchdog that the run ended cleanly. */
  close(): void {
    if (!this.watchdog) return;
    this.watchdog.end("bye\n");
    this.watchdog = null;
  }

  private liveGroups(): Group[] {
    if (this.groups.length === 0) return [];
    if (!hasProc()) return this.groups.filter((g) => groupAlive(g.pgid));
    const alive = new Set(liveProcesses().map((p) => p.pgid));
    return this.groups.filter((g) => alive.has(g.pgid));
  }

  /** SIGKILLs the run's processes that are still alive, in or out of their groups, until none is left. */
  private async sweep(): Promise<void> {
    if (!hasProc()) return;
    const entry = `PROCFLOW_RUN_ID=${this.runId}`;
    const groups = new Set(this.groups.map((g) => g.pgid));
    for (let round = 0; round < 40; round++) {
      const left = liveProcesses().filter(
        (p) => p.pid !== process.pid && (groups.has(p.pgid) || hasEnv(p.pid, entry)),
      );
      if (left.length === 0) return;
      for (const p of left) {
        signalProcess(p.pid, "SIGKILL");
        // An escapee that leads a group of its own takes its group with it.
        if (p.pgid === p.pid) signalGroup(p.pgid, "SIGKILL");
      }
      await sleep(POLL_MS);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
