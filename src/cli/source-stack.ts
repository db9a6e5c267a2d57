// A stack trace of the minified CLI scripts (dist/cli-bundle/*.cjs) in terms of procflow's
// sources, through the bundle's source map, for the bug report of an internal error. Loaded only then.
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";

/** `stack` with each `…/procflow.cjs:LINE:COLUMN` (or run-start.cjs) as `src/…/file.ts:LINE:COLUMN` (as it is without a map). */
export function sourceStack(stack: string): string {
  const maps = new Map<string, SourceMap | null>();
  return stack.replace(
    /(\/[^\s()]*\/(?:procflow|run-start)\.cjs):(\d+):(\d+)/g,
    (frame, file: string, line, column) => {
      if (!maps.has(file)) maps.set(file, readMap(`${file}.map`));
      const entry = maps.get(file)?.findEntry(Number(line) - 1, Number(column) - 1);
      if (!entry || !("originalSource" in entry)) return frame;
      const source = entry.originalSource.replace(/^(\.\.\/)+/, "");
      return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    },
  );
}

function readMap(file: string): SourceMap | null {
  try {
    return new SourceMap(JSON.parse(readFileSync(file, "utf8")));
  } catch {
    return null;
  }
}
