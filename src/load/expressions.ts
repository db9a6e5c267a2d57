// `${{ }}` in the job file's strings, for the loader's checks and the export: where each one is, and
// the simple names a caller knows substituted (the engine in src/expr/ parses and evaluates them).
import { type Node, staticPath } from "../expr/ast.js";
import { parseTemplate } from "../expr/template.js";

export interface Expression {
  /** As written, `${{ … }}` included. */
  readonly text: string;
  /** Offset in the string. */
  readonly index: number;
  readonly node: Node;
}

/** The expressions of a string (none when it does not parse: the expressions rule reports that). */
export function findExpressions(value: string): Expression[] {
  if (!value.includes("${{")) return [];
  const t = parseTemplate(value);
  if (!t.ok) return [];
  return t.parts.flatMap((p) => (typeof p === "string" ? [] : [{ text: p.text, index: p.at, node: p.node }]));
}

/** Replaces every expression that is a plain name `lookup` knows (`root.name`); leaves the others as written. */
export function substitute(
  value: string,
  lookup: (root: string, name: string) => string | undefined,
): string {
  if (!value.includes("${{")) return value;
  const t = parseTemplate(value);
  if (!t.ok) return value;
  let out = "";
  for (const p of t.parts) {
    if (typeof p === "string") {
      out += p;
      continue;
    }
    const path = staticPath(p.node);
    const found = path && path.length > 1 ? lookup(path[0]!, path.slice(1).join(".")) : undefined;
    out += found ?? p.text;
  }
  return out;
}
