// Diagnostics → text with code frames, JSON, or GitHub Actions annotations. Text and annotations
// stop at 100 per file (JSON lists all), and a frame shows a window of a long line: no input size
// makes the output grow past a few hundred lines of bounded width.
import type { Colors } from "picocolors/types.js";
import { escapeData, escapeProperty, workspacePath } from "../workflow-commands.js";
import { type Diagnostic, position } from "./diagnostic.js";

export type DiagnosticFormat = "text" | "json" | "github";

/** Diagnostics printed per file in text and github formats; the rest are counted. */
const SHOWN_PER_FILE = 100;
/** Characters of a source line shown in a code frame. */
const FRAME_WIDTH = 100;

export interface FormatOptions {
  /** How to see the diagnostics left out past SHOWN_PER_FILE, e.g. `--format json`. */
  readonly listAll?: string;
}

export function formatDiagnostics(
  ds: readonly Diagnostic[],
  format: DiagnosticFormat,
  c: Colors,
  opts: FormatOptions = {},
): string {
  if (format === "json") return `${JSON.stringify(ds.map(toJson), null, 2)}\n`;
  const one = format === "github" ? formatAnnotation : (d: Diagnostic) => formatText(d, c);
  let out = "";
  for (const [path, group] of byFile(ds)) {
    for (const d of group.slice(0, SHOWN_PER_FILE)) out += one(d);
    const left = group.length - SHOWN_PER_FILE;
    if (left > 0)
      out += `${path}: … and ${left} more (${opts.listAll ?? "procflow validate --format json"} lists all)\n`;
  }
  return out;
}

export function toJson(d: Diagnostic) {
  const p = position(d);
  return { file: d.source.path, ...p, severity: d.severity, code: d.code, message: d.message };
}

/** Diagnostics grouped by file, files in the order they first appear. */
function byFile(ds: readonly Diagnostic[]): Map<string, Diagnostic[]> {
  const groups = new Map<string, Diagnostic[]>();
  for (const d of ds) {
    const group = groups.get(d.source.path);
    if (group) group.push(d);
    else groups.set(d.source.path, [d]);
  }
  return groups;
}

function formatAnnotation(d: Diagnostic): string {
  const p = position(d);
  const props = `file=${escapeProperty(workspacePath(d.source.path))},line=${p.line},col=${p.column}`;
  return `::${d.severity} ${props}::${escapeData(d.message)}\n`;
}

function formatText(d: Diagnostic, c: Colors): string {
  const label = d.severity === "error" ? c.red(c.bold("error")) : c.yellow(c.bold("warning"));
  if (d.source.text === "" && d.range[1] === 0) return `${c.bold(d.source.path)}: ${label}: ${d.message}\n`;
  const p = position(d);
  const head = `${c.bold(`${d.source.path}:${p.line}:${p.column}`)}: ${label}: ${d.message}\n`;
  return head + codeFrame(d.source.text, p.line, p.column, p.endLine === p.line ? p.endColumn : undefined, c);
}

function codeFrame(
  text: string,
  line: number,
  column: number,
  endColumn: number | undefined,
  c: Colors,
): string {
  const lines = lineSlice(text, line - 1, line);
  const current = lines[lines.length - 1] ?? "";
  const shown = frameWindow(current.length, column);
  // Each line by its own length: a short line above a long one is shown whole.
  const cut = (s: string) => {
    const { from, to } = frameWindow(s.length, column);
    return `${from > 0 ? "…" : ""}${s.slice(from, to)}${s.length > to ? "…" : ""}`;
  };
  const width = String(line).length;
  const gutter = (n: number | "") => c.dim(`${String(n).padStart(width)} | `);
  let out = "";
  if (line > 1) out += `  ${gutter(line - 1)}${cut(lines[0] ?? "")}\n`;
  out += `${c.red(">")} ${gutter(line)}${cut(current)}\n`;
  const to = Math.min(endColumn ?? current.length + 1, current.length + 1, shown.to + 1);
  const carets = "^".repeat(Math.max(1, to - column));
  const indent = column - 1 - shown.from + (shown.from > 0 ? 1 : 0);
  out += `  ${gutter("")}${" ".repeat(indent)}${c.red(carets)}\n`;
  return out;
}

/** The characters [from, to) of a line that a frame shows: all of a short line, else a window around the column. */
function frameWindow(length: number, column: number): { from: number; to: number } {
  if (length <= FRAME_WIDTH) return { from: 0, to: length };
  const from = Math.max(0, Math.min(column - 1 - FRAME_WIDTH / 4, length - FRAME_WIDTH));
  return { from, to: from + FRAME_WIDTH };
}

/** Lines `from` to `to` (1-based, inclusive) without scanning the whole text into lines. */
function lineSlice(text: string, from: number, to: number): string[] {
  let start = 0;
  for (let n = 1; n < Math.max(1, from); n++) start = text.indexOf("\n", start) + 1;
  const out: string[] = [];
  for (let n = Math.max(1, from); n <= to; n++) {
    const end = text.indexOf("\n", start);
    out.push(text.slice(start, end === -1 ? undefined : end).replace(/\r$/, ""));
    if (end === -1) break;
    start = end + 1;
  }
  return out;
}
