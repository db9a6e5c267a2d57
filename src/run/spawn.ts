// The only module that starts processes or signals them: spawning (execa), process groups, and
// liveness checks from /proc. Everything else talks to children through ChildHandle.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { execa } from "execa";

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
  const sub = execa(file, args, {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: false,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    ipc: spec.ipc ?? false,
    serialization: "json",
    detached: true, // a session and process group of its own; the parent pid stays procflow's
    buffer: false,
    cleanup: false, // procflow owns cleanup (reaper.ts)
    reject: false,
    encoding: "buffer",
    stripFinalNewline: false,
    windowsHide: true,
  });
  const exited = new Promise<ExitInfo>((resolve) => {
    sub.once("exit", (exitCode, signal) => resolve({ exitCode, signal }));
    sub.once("error", (e: NodeJS.ErrnoException) => {
      if (sub.pid === undefined || sub.exitCode === null)
        resolve({ exitCode: null, signal: null, error: spawnError(e, spec) });
    });
  });
  sub.catch(() => {}); // results are read from the events above; execa's promise must not reject unhandled
  return {
    pid: sub.pid,
    stdout: sub.stdout,
    stderr: sub.stderr,
    exited,
    onMessage: (listener) => void sub.on("message", listener),
  };
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
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Sends a signal to one process; false when it is gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  if (pid <= 1 || pid === process.pid) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** A process from /proc/<pid>/stat. */
export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  readonly state: string;
}

/** Reads /proc/<pid>/stat; undefined when the process is gone (or /proc is missing, as on macOS). */
export function procInfo(pid: number): ProcInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces or parentheses: split after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { pid, state: fields[0]!, ppid: Number(fields[1]), pgid: Number(fields[2]), sid: Number(fields[3]) };
}

/** Every live (not zombie) process on the machine, from /proc; [] where there is no /proc. */
export function liveProcesses(): ProcInfo[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const info = procInfo(Number(e));
    if (info && info.state !== "Z" && info.state !== "X") out.push(info);
  }
  return out;
}

/** Whether a process carries `NAME=value` in its environment (as it was when it started). */
export function hasEnv(pid: number, entry: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`);
    const i = env.indexOf(entry);
    return (
      i !== -1 &&
      (i === 0 || env[i - 1] === 0) &&
      (i + entry.length === env.length || env[i + entry.length] === 0)
    );
  } catch {
    return false;
  }
}

export const hasProc = (): boolean => process.platform === "linux";

/**
 * Whether the group still has members (zombies included: while it has any, its id cannot be reused,
 * so a true answer always means the same group).
 */
export const groupExists = (pgid: number): boolean => signalGroup(pgid, 0);
