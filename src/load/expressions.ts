// `${{ root.name }}` expressions: finding them, checking their roots, substituting values.

export const EXPRESSION = /\$\{\{\s*([^}]*?)\s*\}\}/g;

export interface Expression {
  readonly text: string;
  readonly index: number;
  readonly root: string;
  readonly name: string;
}

export function findExpressions(value: string): Expression[] {
  if (!value.includes("${{")) return [];
  const out: Expression[] = [];
  for (const m of value.matchAll(EXPRESSION)) {
    const [root = "", ...rest] = m[1]!.split(".");
    out.push({ text: m[0], index: m.index!, root, name: rest.join(".") });
  }
  return out;
}

/** Replaces every expression that `lookup` knows; leaves the others as written. */
export function substitute(
  value: string,
  lookup: (root: string, name: string) => string | undefined,
): string {
  if (!value.includes("${{")) return value;
  return value.replace(EXPRESSION, (whole, inner: string) => {
    const dot = inner.indexOf(".");
    const found = dot === -1 ? undefined : lookup(inner.slice(0, dot), inner.slice(dot + 1));
    return found ?? whole;
  });
}
