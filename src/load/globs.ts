// Watch patterns (SPEC §12): picomatch globs checked at load time, and split into the folder a watcher
// must watch (the static base) and the matcher for paths below it.
import { isAbsolute, relative, resolve, sep } from "node:path";
import picomatch from "picomatch";

/** Why a pattern is not a usable glob, or null. */
export function globProblem(pattern: string): string | null {
  if (pattern.startsWith("!")) return `negated patterns are not supported here (list them under "ignore")`;
  try {
    picomatch.makeRe(pattern, { strictBrackets: true });
    return null;
  } catch (e) {
    return (e as Error).message.replace(/ - use .*$/, "").replace(/^Missing/, "missing");
  }
}

/** A compiled pattern: the absolute folder (or file) it starts at, and whether an absolute path matches. */
export interface CompiledGlob {
  /** The static part of the pattern, resolved against `cwd`. */
  readonly base: string;
  /** A plain path (no glob characters): the file itself or, for a folder, everything under it. */
  readonly literal: boolean;
  matches(path: string): boolean;
}

export function compileGlob(pattern: string, cwd: string): CompiledGlob {
  const scanned = picomatch.scan(pattern);
  const base = resolve(cwd, scanned.isGlob ? scanned.base : pattern);
  if (!scanned.isGlob) return { base, literal: true, matches: (path) => within(path, base) };
  const match = picomatch(scanned.glob);
  return {
    base,
    literal: false,
    matches: (path) => path !== base && within(path, base) && match(relative(base, path)),
  };
}

/** Whether `path` is `folder` or lies under it (both absolute). */
export function within(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
