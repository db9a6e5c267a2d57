// Diagnostics → text with code frames, JSON, or GitHub Actions annotations.
import type { Colors } from "picocolors/types.js";
import { type Diagnostic, position } from "./diagnostic.js";

export type DiagnosticFormat = "text" | "json" | "github";

export function formatDiagnostics(ds: readonly Diagnostic[], format: DiagnosticFormat, c: Colors): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(ds.map(toJson), null, 2)}\n`;
    case "github":
      return ds
        .map((d) => {
          const p = position(d);
          const props = `file=${escapeProperty(d.source.path)},line=${p.line},col=${p.column}`;
          return `::${d.severity} ${props}::${escapeData(d.message)}\n`;
        })
        .join("");
    case "text":
      return ds.map((d) => formatText(d, c)).join("");
  }
}

export function toJson(d: Diagnostic) {
  const p = position(d);
  return { file: d.source.path, ...p, severity: d.severity, code: d.code, message: d.message };
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
  const width = String(line).length;
  const gutter = (n: number | "") => c.dim(`${String(n).padStart(width)} | `);
  let out = "";
  if (line > 1) out += `  ${gutter(line - 1)}${lines[0]}\n`;
  const current = lines[lines.length - 1] ?? "";
  out += `${c.red(">")} ${gutter(line)}${current}\n`;
  const to = Math.min(endColumn ?? current.length + 1, current.length + 1);
  const carets = "^".repeat(Math.max(1, to - column));
  out += `  ${gutter("")}${" ".repeat(column - 1)}${c.red(carets)}\n`;
  return out;
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

const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
