// The wrapper that started procflow (npm, npx, a script, a test harness): when it exits, the run ends.
// Stopped by its pid alone, such a wrapper does not pass the signal on through the `sh -c` it started
// procflow with, so procflow watches the nearest ancestor that is not a `sh -c`, every 250 ms.
// Not watched: a procflow that leads a session of its own (`setsid procflow run …`), or whose `sh -c`
// wrapper does; that, like `--detach`, is a deliberate detachment.
import { readFileSync } from "node:fs";
import { hasProc, type ProcInfo, procInfo } from "./spawn.js";

const CHECK_MS = 250;

/** Shells that run a `-c` command string and wait for it, without passing signals on. */
const SHELLS = new Set(["sh", "dash", "bash", "zsh", "ksh", "mksh", "ash"]);

/**
 * Calls `onExit` once, when the process that started procflow has exited; returns the function
 * that stops watching. The timer never keeps procflow alive.
 */
export function watchParent(onExit: () => void): () => void {
  const gone = hasProc() ? wrapperGone() : parentChanged();
  if (!gone) return () => {};
  const timer = setInterval(() => {
    if (!gone()) return;
    clearInterval(timer);
    onExit();
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * With /proc: a check that the watched ancestor has exited. Pids are reused, so it is the same
 * process only while its start time is the same. Null when there is nothing to watch.
 */
function wrapperGone(): (() => boolean) | null {
  let self = procInfo(process.pid);
  while (self) {
    if (self.sid === self.pid || self.ppid <= 1) return null; // detached, or orphaned already
    const parent = procInfo(self.ppid);
    if (!parent) return () => true; // it exited while procflow looked
    if (!isShellWrapper(parent.pid)) return () => !sameLiveProcess(parent);
    self = parent;
  }
  return null;
}

function sameLiveProcess(p: ProcInfo): boolean {
  const now = procInfo(p.pid);
  return now !== undefined && now.startTime === p.startTime && now.state !== "Z" && now.state !== "X";
}

/** Without /proc (macOS): the parent has exited when procflow's parent pid changes (it is re-parented). */
function parentChanged(): (() => boolean) | null {
  const ppid = process.ppid;
  return ppid <= 1 ? null : () => process.ppid !== ppid;
}

/** Whether the process is a shell running a command string: `sh -c …`, `bash -ec …`. */
function isShellWrapper(pid: number): boolean {
  try {
    if (!SHELLS.has(readFileSync(`/proc/${pid}/comm`, "latin1").trim())) return false;
    return hasCommandString(readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").slice(1));
  } catch {
    return false; // gone, or not ours to read: watched as it is
  }
}

/** Whether a shell's options, before its first operand, hold `c` (alone or in a cluster like `-ec`). */
function hasCommandString(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-" || a === "--" || !/^[-+]/.test(a)) return false;
    if (a.startsWith("--")) continue; // bash's long options (--norc, --posix)
    if (/^[-+][oO]$/.test(a))
      i++; // -o pipefail, -O extglob: the name is the next argument
    else if (a.startsWith("-") && a.includes("c")) return true;
  }
  return false;
}
