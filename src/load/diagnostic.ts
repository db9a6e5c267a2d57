// A problem found in a job file: where it is (byte offsets into the source) and what to do about it.
import { LineCounter } from "yaml";
import type { Range, Source } from "../graph/source.js";

export type Severity = "error" | "warning";

export interface Diagnostic {
  readonly source: Source;
  readonly range: Range;
  readonly severity: Severity;
  /** Stable identifier of the check, e.g. `needs-unknown`. */
  readonly code: string;
  readonly message: string;
}

export interface Position {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

const counters = new WeakMap<Source, LineCounter>();

/** 1-based line and column of a diagnostic; computed only when printed. */
export function position(d: Pick<Diagnostic, "source" | "range">): Position {
  let lc = counters.get(d.source);
  if (!lc) {
    lc = new LineCounter();
    const text = d.source.text;
    lc.addNewLine(0);
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lc.addNewLine(i + 1);
    counters.set(d.source, lc);
  }
  const start = lc.linePos(d.range[0]);
  const end = lc.linePos(Math.max(d.range[0], d.range[1]));
  return { line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
}

export const hasErrors = (ds: readonly Diagnostic[], strict = false): boolean =>
  ds.some((d) => d.severity === "error" || strict);
