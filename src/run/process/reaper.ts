// No orphans: at the end of the run, the process groups of its jobs that still have members are
// stopped (stop signal, grace, SIGKILL); then what is left of the run is killed: the processes in its
// cgroup (cgroup.ts, where one could be had), and, from /proc, those whose environment carries the
// run id (escapees from their group; with PROCFLOW_RUN_IDS, those of nested runs too). A watchdog
// process outlives a procflow that is SIGKILLed and does the same when its pipe closes without a goodbye.
//
// Which groups are the run's. Process ids are reused (pid_max is 32768 on many machines), so a group id
// alone proves nothing. A group is the run's from its creation (its leader is a job's process, whose
// pid is taken until procflow reaps it) for as long as it is seen non-empty without a break: a group's
// id is not handed out again while any process of the group is alive, zombies included (POSIX; Linux
// frees the number only then). When the job's process has been reaped, its group is checked
// (settled(), once the output is drained: ≤ 100 ms later); if empty it is forgotten at once, else
// checked every WATCH_MS and forgotten as soon as it is seen empty. The one gap is between two checks:
// the group would have to empty and its id go to a new group leader in that time. Linux hands ids out
// in a cycle, so a freed id comes back only after every other free id up to pid_max has been used:
// fooling the check takes pid_max process or thread creations within ~100 ms (at pid_max 32768, over
// 300,000 a second; at systemd's 4194304, 40 million). A group is never judged by its members'
// environment, so a member that cleared it (`env -i`) is still found through its group.
import { spawn } from "node:child_process";
import type { Socket } from "node:net";
import type { Writable } from "node:stream";
import type { RunCgroup } from "./cgroup.js";
import {
  groupExists,
  hasProc,
  liveGroupIds,
  processesOfRun,
  procInfo,
  signalGroup,
  signalProcess,
} from "./spawn.js";

const POLL_MS = 25;
const WATCH_MS = 100;

// The watchdog: `sh -c WATCHDOG procflow-watchdog RUN_ID CGROUP HOME LEFTOVER...`. Born inside the run's
// cgroup when procflow is in already, it steps out to HOME at once, so that killing the cgroup spares
// it. It reads "PGID" lines (a group of the run) and "-PGID" lines (that group is gone) until EOF, which
// comes when procflow exits. After "bye" (a clean end), it then only removes the run's cgroup, which
// procflow leaves by exiting (moving out would wait for the kernel again), and any left by a run
// killed before its watchdog started, over a minute ago (a live run's cannot be removed: procflow is
// in it). Without "bye", procflow died: it removes the leftovers (and those a nested run listed in its
// results folder, inside this run's: this watchdog kills that run's before it could, so they go again
// after the first round: one still alive could make them meanwhile), then three rounds to catch late
// forks kill the run's cgroup, every process carrying the run id (with its group), and the groups it
// was told of. It is told only of groups that outlived their job's process; without
// /proc, of every group (each line wakes the shell: ~5 % on a fan-out of short jobs).
const WATCHDOG = `
trap '' INT TERM HUP
run=$1 cg=$2 home=$3 groups=" " out= bye=
shift 3
[ -n "$home" ] && { echo $$ >"$home/cgroup.procs"; } 2>/dev/null && out=1
while IFS= read -r line; do
  case "$line" in
    bye) [ -n "$cg" ] || exit 0; bye=1 ;;
    -*) g=\${line#-}; case "$groups" in *" $g "*) groups="\${groups%%" $g "*} \${groups#*" $g "}" ;; esac ;;
    *[!0-9]*|"") ;;
    *) groups="$groups$line " ;;
  esac
done
if [ -n "$bye" ]; then
  i=0
  while [ $i -lt 50 ] && [ -d "$cg" ] && ! rmdir "$cg" 2>/dev/null; do sleep 0.01; i=$((i + 1)); done
  [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
  find "$home" -maxdepth 1 -type d -name 'procflow-*' -mmin +1 -exec rmdir {} + 2>/dev/null
  exit 0
fi
nested=$(for d in "$@"; do [ -d "$d" ] && find "$d" -name procflow-leftovers -type f -exec cat {} + 2>/dev/null; done)
remove_nested() {
  printf '%s\\n' "$nested" | while IFS= read -r f; do case "$f" in *.sock|*.json) rm -f -- "$f" ;; esac; done
}
remove_nested
rm -rf -- "$@"
for round in 1 2 3; do
  if [ -n "$cg" ] && [ -d "$cg" ]; then
    { [ -n "$out" ] && echo 1 2>/dev/null >"$cg/cgroup.kill"; } ||
      for p in $(cat $(find "$cg" -name cgroup.procs) 2>/dev/null); do [ "$p" = "$$" ] || kill -KILL "$p" 2>/dev/null; done
  fi
  if [ -d /proc/self ]; then
    for f in $(grep -lzE "^PROCFLOW_RUN_IDS?=(.* )?$run( .*)?$" /proc/[0-9]*/environ 2>/dev/null); do
      p=\${f#/proc/}; p=\${p%/environ}
      [ "$p" = "$$" ] && continue
      stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
      set -- \${stat##*") "}
      [ "\${3:-0}" -gt 1 ] && kill -KILL -- "-$3" 2>/dev/null
      kill -KILL "$p" 2>/dev/null
    done
  fi
  for g in $groups; do kill -KILL -- "-$g" 2>/dev/null; done
  [ $round = 1 ] && remove_nested
  sleep 0.2
done
[ -n "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
`;

interface Group {
  readonly pgid: number;
  readonly stopSignal: NodeJS.Signals;
  readonly killTimeoutMs: number;
}

export class Reaper {
  /** The run's groups that may still have members, by id: led by a job's process, or watched since. */
  private readonly groups = new Map<number, Group>();
  /** Groups that outlived their job's process, checked every WATCH_MS (told to the watchdog). */
  private readonly leftovers = new Set<number>();
  private watching: NodeJS.Timeout | undefined;
  private watchdog: Writable | null = null;
  /** The watchdog's pid: born in the run's cgroup, it may still be there while it steps out. */
  private watchdogPid: number | undefined;
  private cgroup: RunCgroup | null = null;
  /** procflow's own group, never to be signalled (a nested run shares its parent job's group). */
  private readonly ownGroup = procInfo(process.pid)?.pgid;

  constructor(private readonly runId: string) {}

  /**
   * Starts the watchdog (Linux and macOS). `cgroup`: the run's, which procflow is entering (only a
   * process whose only business is the run does: whatever it starts meanwhile is killed at the end).
   * `leftovers`: files (or folders) the watchdog removes if procflow dies (the control endpoint's
   * socket and record, the results folder).
   */
  start(cgroup: RunCgroup | null, leftovers: readonly string[] = []): void {
    this.cgroup = cgroup;
    if (process.platform === "win32") return;
    const child = spawn(
      "/bin/sh",
      ["-c", WATCHDOG, "procflow-watchdog", this.runId, cgroup?.path ?? "", cgroup?.home ?? "", ...leftovers],
      {
        detached: true,
        stdio: ["pipe", "ignore", "ignore"],
      },
    );
    child.on("error", () => {
      this.watchdog = null;
    });
    child.unref();
    this.watchdogPid = child.pid;
    child.stdin.on("error", () => {});
    // The pipe is a socket: it must not keep procflow's event loop alive either.
    (child.stdin as Socket).unref();
    this.watchdog = child.stdin;
  }

  track(pgid: number, stopSignal: NodeJS.Signals, killTimeoutMs: number): void {
    this.groups.set(pgid, { pgid, stopSignal, killTimeoutMs });
    if (!hasProc()) this.watchdog?.write(`${pgid}\n`);
  }

  /** A job's process has ended: its group is forgotten if empty, else watched until it is. */
  settled(pgid: number): void {
    if (!this.groups.has(pgid) || this.leftovers.has(pgid)) return;
    if (!groupExists(pgid)) {
      this.forget(pgid);
      return;
    }
    this.leftovers.add(pgid);
    if (hasProc()) this.watchdog?.write(`${pgid}\n`);
    this.watching ??= setInterval(() => {
      for (const g of this.leftovers) if (!groupExists(g)) this.forget(g);
      if (this.leftovers.size === 0) this.stopWatching();
    }, WATCH_MS).unref();
  }

  /**
   * At the end of the run: the groups with live members get their stop signal, then SIGKILL after
   * their grace; then what is left of the run is killed. Resolves when nothing of the run is left (or
   * after a last SIGKILL round, for processes that cannot be killed at all).
   */
  async cleanup(): Promise<void> {
    let live = this.liveGroups();
    if (live.length === 0 && !this.anyLeft()) return; // the common end: nothing left
    if (live.length > 0) {
      for (const g of live) signalGroup(g.pgid, g.stopSignal);
      const deadline = Date.now() + Math.max(...live.map((g) => g.killTimeoutMs));
      while (live.length > 0 && Date.now() < deadline) {
        await sleep(POLL_MS);
        live = this.liveGroups(live);
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

  /**
   * The run has ended: tells the watchdog so. With a cgroup, the watchdog removes it once procflow has
   * exited (its pipe stays open until then); without a watchdog, procflow moves out and removes it.
   */
  async close(): Promise<void> {
    this.stopWatching();
    const [watchdog, cgroup] = [this.watchdog, this.cgroup];
    this.watchdog = null;
    this.cgroup = null;
    if (watchdog && cgroup) watchdog.write("bye\n");
    else {
      watchdog?.end("bye\n");
      await cgroup?.remove();
    }
  }

  /** Whether a group whose leader has exited is still the run's and has members. */
  owns(pgid: number): boolean {
    return this.groups.has(pgid) && groupExists(pgid);
  }

  private forget(pgid: number): void {
    this.groups.delete(pgid);
    if (this.leftovers.delete(pgid) || !hasProc()) this.watchdog?.write(`-${pgid}\n`);
  }

  private stopWatching(): void {
    clearInterval(this.watching);
    this.watching = undefined;
  }

  /**
   * The run's groups with live members. A zombie keeps its group's id taken but needs no stopping, and
   * may stay a while: init reaps orphans when it gets to it (a container's first process may never).
   */
  private liveGroups(groups = [...this.groups.values()]): Group[] {
    const existing = groups.filter((g) => groupExists(g.pgid));
    if (existing.length === 0 || !hasProc()) return existing;
    const live = liveGroupIds();
    return existing.filter((g) => live.has(g.pgid));
  }

  private anyLeft(): boolean {
    return this.inside().length > 0 || processesOfRun(this.runId).length > 0;
  }

  /** The processes in the run's cgroup, but the watchdog. */
  private inside(): number[] {
    return this.cgroup?.members().filter((pid) => pid !== this.watchdogPid) ?? [];
  }

  /** SIGKILLs what is left of the run (and the groups of escapees), until nothing is. */
  private async sweep(): Promise<void> {
    for (let round = 0; round < 40; round++) {
      const inside = this.inside();
      const escaped = processesOfRun(this.runId);
      if (inside.length === 0 && escaped.length === 0) return;
      for (const pid of inside) signalProcess(pid, "SIGKILL");
      for (const p of escaped) {
        if (p.pgid !== this.ownGroup) signalGroup(p.pgid, "SIGKILL");
        signalProcess(p.pid, "SIGKILL");
      }
      await sleep(POLL_MS);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
