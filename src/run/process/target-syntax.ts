// Where a target's ES module graph has its syntax error. Node keeps the file, line and column of a
// module's SyntaxError out of reach of the code that imported it (only its fatal-error printer shows
// them), so the target child asks a short Node subprocess to import the module again and die of it,
// and reads the location from what that prints. This file is also the subprocess's loader hook,
// which makes sure that import runs none of the user's code: every ES module starts by importing a
// module that throws, and CommonJS modules (whose syntax errors Node does report) become empty.
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const GUARD = 'import"data:text/javascript,throw 0";';

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | NodeJS.TypedArray | null;
}

/** The loader hook of the subprocess (module.register): no module body ever runs. */
export async function load(
  url: string,
  context: object,
  next: (url: string, context: object) => Promise<LoadResult>,
): Promise<LoadResult & { shortCircuit?: boolean }> {
  const r = await next(url, context);
  if (r.format === "commonjs") return { format: "module", source: "", shortCircuit: true };
  if (r.format !== "module" || r.source == null) return r;
  const text = typeof r.source === "string" ? r.source : Buffer.from(r.source as ArrayBuffer).toString();
  const at = guardOffset(text);
  return { ...r, source: text.slice(0, at) + GUARD + text.slice(at) };
}

/** The guard goes at the start of the first line, or of the second after a hashbang (same line: lines keep their numbers). */
const guardOffset = (text: string) => (text.startsWith("#!") ? text.indexOf("\n") + 1 || text.length : 0);

export interface SyntaxLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The source line and a caret under the column. */
  readonly frame: string;
}

/** Where the SyntaxError `error`, met importing `modulePath`, is; null when that cannot be found. */
export function locateSyntaxError(error: Error, modulePath: string): SyntaxLocation | null {
  // CommonJS modules carry it in their stack already; ES modules need the subprocess.
  return arrow(error.stack ?? "") ?? arrow(reimport(modulePath));
}

/** Imports the module in a subprocess that dies of the error: what it prints on stderr. */
function reimport(modulePath: string): string {
  const hooks = `import{register}from"node:module";register(${JSON.stringify(import.meta.url)})`;
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      `data:text/javascript,${encodeURIComponent(hooks)}`,
      "--input-type=module",
      "-e",
      `await import(${JSON.stringify(pathToFileURL(modulePath).href)})`,
    ],
    { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "ignore", "pipe"] },
  );
  return r.stderr ?? "";
}

/** Node's print of a SyntaxError's place: "<file or URL>:<line>", the source line, a caret under the column. */
function arrow(text: string): SyntaxLocation | null {
  const m = /^(\/.*|file:\/\/.*):(\d+)\n(.*)\n([ \t]*)\^?/m.exec(text);
  if (!m) return null;
  let [source, indent] = [m[3]!, m[4]!];
  if (source.startsWith(GUARD)) [source, indent] = [source.slice(GUARD.length), indent.slice(GUARD.length)];
  return {
    file: m[1]!.startsWith("file:") ? fileURLToPath(m[1]!) : m[1]!,
    line: Number(m[2]),
    column: indent.length + 1,
    frame: `${source}\n${indent}^`,
  };
}
