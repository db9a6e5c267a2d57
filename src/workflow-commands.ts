// GitHub Actions workflow commands (`::error file=…::message`): escaping of their data and properties,
// and the path that `file=` gives.
import { isAbsolute, relative, resolve, sep } from "node:path";

/** A command's message: `%`, CR and LF escaped. */
export const escapeData = (s: string): string =>
  s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");

/** A property value (`file=`, `title=`): also `:` and `,`. */
export const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

/**
 * A file as an annotation's `file=` names it (SPEC §16): relative to $GITHUB_WORKSPACE when it lies
 * inside (GitHub finds the file there, whatever folder procflow ran in), else as given.
 */
export function workspacePath(file: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!env.GITHUB_WORKSPACE) return file;
  const rel = relative(resolve(env.GITHUB_WORKSPACE), resolve(file));
  return rel && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel) ? rel : file;
}
