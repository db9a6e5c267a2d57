// Folders and files procflow writes where it is told to (--log-dir, --junit, report -o, --cache-dir,
// the state folder): a `mkdir -p` that always ends, and why a path cannot be written, in one line.
import { closeSync, mkdirSync, openSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { getSystemErrorMap } from "node:util";

// Node's `mkdir(dir, { recursive: true })` takes every ENOENT for a missing parent: it makes the
// parent (EEXIST), tries the child again, and so on forever where a folder exists but cannot hold
// the child (/proc/nope, /sys/x, a dangling symlink) — spinning in native code, deaf even to SIGTERM.
// Here an ENOENT once the parent is known to exist is final.

/**
 * Makes `dir` and its missing parents (each with `mode`); throws the system's error when it cannot.
 * (The cache's writes, off the main thread, have their twin in src/cache/store.ts.)
 */
export function makeDir(dir: string, mode?: number, parentMade = false): void {
  try {
    mkdirSync(dir, { mode });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST" && statSync(dir).isDirectory()) return;
    if (code !== "ENOENT" || parentMade || dirname(dir) === dir) throw e;
    makeDir(dirname(dir), mode);
    makeDir(dir, mode, true);
  }
}

/**
 * Why `file` could not be written (its folder missing or read-only, it is a folder…), or undefined
 * when it can. Leaves things as they were: a file it had to create to find out is removed again.
 */
export function unwritable(file: string): string | undefined {
  try {
    closeSync(openSync(file, "wx"));
    rmSync(file, { force: true });
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") return systemError(e);
  }
  try {
    closeSync(openSync(file, "r+"));
    return undefined;
  } catch (e) {
    return systemError(e);
  }
}

/** A file system error in words: `no such file or directory (ENOENT)`; anything else, its message. */
export function systemError(e: unknown): string {
  const { errno, code } = e as NodeJS.ErrnoException;
  const text = errno === undefined ? undefined : getSystemErrorMap().get(errno)?.[1];
  return text && code ? `${text} (${code})` : (e as Error).message;
}
