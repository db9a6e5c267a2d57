// The only module that starts processes or signals them: spawning, process groups, and liveness
// checks from /proc. Jobs are spawned with node:child_process (the hot path: every option execa
// adds is one procflow turns off, and its per-spawn cost alone is ~1.9x a bare spawn here, see
// README "Performance"); short commands whose result matters (probes) go through execa, which
// buffers their output. Everything else talks to children through ChildHandle or CommandResult.

import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { constants } from "node:os";
import { Readable } from "node:stream";

export interface ChildSpec {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Fork-style IPC channel (for JavaScript targets). */
  readonly ipc?: boolean;
}

export interface ExitInfo {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why the process could not run at all (command not found, permission denied…). */
  readonly error?: string;
}

export interface ChildHandle {
  /** Also the id of its process group: every child leads a session and group of its own. */
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream;
  readonly stderr: NodeJS.ReadableStream;
  /** Settles when the process has exited, or could not start. */
  readonly exited: Promise<ExitInfo>;
  /** Messages over the IPC channel, when `ipc` was asked for. */
  onMessage(listener: (message: unknown) => void): void;
}

export function spawnChild(spec: ChildSpec): ChildHandle {
  const [file, ...args] = spec.argv as [string, ...string[]];
  let sub: ChildProcess;
  try {
    sub = spawn(file, args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: spec.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
      detached: true, // a session and process group of its own; the parent pid stays procflow's
    });
  } catch (e) {
    // Arguments Node refuses outright (a NUL byte in argv or env): the job fails to start, like ENOENT.
    return notStarted(`cannot start ${file}: ${(e as Error).message}`);
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    sub.once("exit", (exitCode, signal) => resolve({ exitCode, signal }));
    sub.once("error", (e: NodeJS.ErrnoException) => {
      if (sub.pid === undefined || sub.exitCode === null)
        resolve({ exitCode: null, signal: null, error: spawnError(e, spec) });
    });
  });
  return {
    pid: sub.pid,
    stdout: sub.stdout!,
    stderr: sub.stderr!,
    exited,
    onMessage: (listener) => void sub.on("message", listener),
  };
}

function notStarted(error: string): ChildHandle {
  const empty = () => Readable.from([]);
  return {
    pid: undefined,
    stdout: empty(),
    stderr: empty(),
    exited: Promise.resolve({ exitCode: null, signal: null, error }),
    onMessage: () => {},
  };
}

export interface CommandResult extends ExitInfo {
  /** The command was killed when its time ran out. */
  readonly timedOut: boolean;
  /** The last line it printed (stderr first, else stdout), for the message of a failed check. */
  readonly lastLine: string;
}

/**
 * Runs a short command to its end within `timeoutMs` (a `command` probe), in a group of its own that
 * is killed at the timeout or once the command exits, so nothing it started outlives the check.
 */
export async function runCommand(spec: ChildSpec, timeoutMs: number): Promise<CommandResult> {
  const { execa } = await import("execa");
  const [file, ...args] = spec.argv as [string, ...string[]];
  const sub = execa(file, args, {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: false,
    stdin: "ignore",
    detached: true,
    cleanup: false,
    reject: false,
    maxBuffer: 64 * 1024,
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = signalGroup(sub.pid, "SIGKILL");
  }, timeoutMs);
  // What the command left running would hold its pipes open and keep the check waiting.
  sub.once("exit", () => signalGroup(sub.pid, "SIGKILL"));
  const r = await sub;
  clearTimeout(timer);
  const error =
    r.failed && r.exitCode === undefined && !r.signal
      ? spawnError(r as NodeJS.ErrnoException, spec)
      : undefined;
  return {
    exitCode: r.exitCode ?? null,
    signal: (r.signal as NodeJS.Signals | undefined) ?? null,
    ...(error ? { error } : {}),
    timedOut,
    lastLine: lastLine(String(r.stderr)) || lastLine(String(r.stdout)),
  };
}

function lastLine(text: string): string {
  const lines = text.trimEnd().split("\n");
  const line = lines[lines.length - 1]!.trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function spawnError(e: NodeJS.ErrnoException, spec: ChildSpec): string {
  const program = spec.argv[0];
  switch (e.code) {
    case "ENOENT":
      return isDirectory(spec.cwd)
        ? `command not found: ${program}`
        : `working directory not found: ${spec.cwd}`;
    case "EACCES":
      return `permission denied: ${program}`;
    case "ENOTDIR":
      return `working directory is not a directory: ${spec.cwd}`;
    default:
      return `cannot start ${program}: ${e.message}`;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Sends a signal to a whole process group; false when the group is gone. Never our own group or init's. */
export function signalGroup(pgid: number | undefined, signal: NodeJS.Signals | 0): boolean {
  if (pgid === undefined || pgid <= 1 || pgid === process.pid) return false;
  return kill(-pgid, signal);
}

/** Sends a signal to one process; false when it is gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  if (pid <= 1 || pid === process.pid) return false;
  return kill(pid, signal);
}

// process.kill throws when the process is gone, the common answer (one check per job's end), and its
// error costs several times the signal. Node's own binding under it (there since Node 0.x, and what
// Node's tests patch) returns the error number instead, but checks nothing: a pid that is not a
// non-zero integer would become 0, procflow's own group, so it is refused here. An unknown signal
// becomes -1, which the kernel refuses.
const rawKill = (process as unknown as { _kill?: (pid: number, signal: number) => number })._kill;

const kill: (pid: number, signal: NodeJS.Signals | 0) => boolean =
  typeof rawKill === "function"
    ? (pid, signal) =>
        Number.isInteger(pid) &&
        pid !== 0 &&
        rawKill.call(process, pid, signal === 0 ? 0 : (constants.signals[signal] ?? -1)) === 0
    : (pid, signal) => {
        try {
          process.kill(pid, signal);
          return true;
        } catch {
          return false;
        }
      };

/** A process from /proc/<pid>/stat. */
export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  readonly state: string;
  /** When it started (clock ticks since boot): with the pid, names one process even after pids are reused. */
  readonly startTime: number;
}

/** Reads /proc/<pid>/stat; undefined when the process is gone (or /proc is missing, as on macOS). */
export function procInfo(pid: number): ProcInfo | undefined {
  const stat = readProc(pid, "stat")?.toString("latin1");
  if (stat === undefined) return undefined;
  // The command name is in parentheses and may hold spaces or parentheses: split after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    pid,
    state: fields[0]!,
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    sid: Number(fields[3]),
    startTime: Number(fields[19]),
  };
}

/**
 * The live (not zombie) processes, other than procflow itself, of run `runId` and of the runs nested
 * in it: those whose environment (as it was when they started) holds `PROCFLOW_RUN_ID=<runId>` or
 * has `<runId>` among the words of `PROCFLOW_RUN_IDS` (src/run/env.ts); [] where there is no /proc.
 * Each environment is read once and searched once for the id, which rules out almost every process.
 */
export function processesOfRun(runId: string): ProcInfo[] {
  const id = Buffer.from(runId);
  const out: ProcInfo[] = [];
  for (const pid of procPids()) {
    if (pid === process.pid || !carries(pid, id)) continue;
    const info = procInfo(pid);
    if (info && info.state !== "Z" && info.state !== "X") out.push(info);
  }
  return out;
}

/** The ids of the process groups that have a live (not zombie) member, from /proc. */
export function liveGroupIds(): Set<number> {
  const out = new Set<number>();
  for (const pid of procPids()) {
    const info = procInfo(pid);
    if (info && info.state !== "Z" && info.state !== "X") out.add(info.pgid);
  }
  return out;
}

/** The pids listed in /proc (none where there is no /proc). */
export function procPids(): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(e));
  }
  return out;
}

const RUN_ID = Buffer.from("PROCFLOW_RUN_ID=");
const RUN_IDS = Buffer.from("PROCFLOW_RUN_IDS=");
const SPACE = 32;

function carries(pid: number, id: Buffer): boolean {
  const env = readProc(pid, "environ");
  if (env === undefined) return false;
  for (let i = env.indexOf(id); i !== -1; i = env.indexOf(id, i + 1)) {
    const after = i + id.length < env.length ? env[i + id.length] : 0;
    const head = env.subarray(env.lastIndexOf(0, i) + 1, i); // the entry, up to the id
    if (after === 0 && head.equals(RUN_ID)) return true;
    if (
      (after === 0 || after === SPACE) &&
      head.subarray(0, RUN_IDS.length).equals(RUN_IDS) &&
      (head.length === RUN_IDS.length || head[head.length - 1] === SPACE)
    )
      return true;
  }
  return false;
}

/** Shared by the reads of readProc: each read's bytes stay valid until the next one. */
let procBuffer = Buffer.allocUnsafe(16 * 1024);

/**
 * A file of /proc/<pid> (undefined when the process is gone), read into one buffer that is kept: an
 * end-of-run sweep reads one per process of the machine, and readFileSync costs twice as much (it
 * reads a file of size 0 through a growing list of buffers).
 */
function readProc(pid: number, file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/${file}`, "r");
  } catch {
    return undefined;
  }
  try {
    let size = 0;
    for (;;) {
      const n = readSync(fd, procBuffer, size, procBuffer.length - size, null);
      if (n === 0) return procBuffer.subarray(0, size);
      size += n;
      if (size === procBuffer.length) {
        const bigger = Buffer.allocUnsafe(procBuffer.length * 2);
        procBuffer.copy(bigger);
        procBuffer = bigger;
      }
    }
  } catch {
    return undefined; // gone while being read
  } finally {
    closeSync(fd);
  }
}

export const hasProc = (): boolean => process.platform === "linux";

/**
 * Whether the group still has members (zombies included: while it has any, its id cannot be reused,
 * so a true answer always means the same group).
 */
export const groupExists = (pgid: number): boolean => signalGroup(pgid, 0);
