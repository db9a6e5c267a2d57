// Strings with `${{ … }}` in them: split into text and parsed expressions (once per distinct string:
// the loader's check parses it, every later use finds it here), and evaluated back to one string.
import type { ExprSyntaxError, Node, Value } from "./ast.js";
import { evaluate, type Scope, toJSON } from "./evaluate.js";
import { parseExpression } from "./parse.js";

/** A part of a template: text as written, or an expression with its offset and source text. */
export type Part = string | { readonly node: Node; readonly text: string; readonly at: number };

export type Template = { ok: true; parts: readonly Part[] } | ({ ok: false } & ExprSyntaxError);

const parsed = new Map<string, Template>();

/** Splits a string into text and expressions; offsets are into the string. */
export function parseTemplate(value: string): Template {
  let t = parsed.get(value);
  if (!t) {
    t = split(value);
    parsed.set(value, t);
  }
  return t;
}

function split(value: string): Template {
  const parts: Part[] = [];
  let from = 0;
  for (;;) {
    const open = value.indexOf("${{", from);
    if (open === -1) break;
    if (open > from) parts.push(value.slice(from, open));
    const close = closing(value, open + 3);
    if (close === -1) return { ok: false, message: "${{ is not closed: end it with }}", at: open };
    const inner = value.slice(open + 3, close);
    const lead = inner.length - inner.trimStart().length;
    const e = parseExpression(inner.trim());
    if (!e.ok) return { ok: false, message: e.message, at: open + 3 + lead + e.at };
    parts.push({ node: e.node, text: value.slice(open, close + 2), at: open });
    from = close + 2;
  }
  if (from < value.length) parts.push(value.slice(from));
  return { ok: true, parts };
}

/** The `}}` that closes an expression, skipping those inside single-quoted strings. */
function closing(value: string, from: number): number {
  let quoted = false;
  for (let i = from; i < value.length; i++) {
    if (value[i] === "'") quoted = !quoted;
    else if (!quoted && value.startsWith("}}", i)) return i;
  }
  return -1;
}

export const hasExpression = (value: string): boolean => value.includes("${{");

/** A value in argv or env: a string as is, null as empty, anything else as toJSON writes it. */
export function asText(v: Value): string {
  return typeof v === "string" ? v : v === null ? "" : toJSON(v);
}

export type Expanded = { ok: true; value: string } | { ok: false; error: string };

/**
 * The string with every expression replaced by its value (each value is text: it is never parsed
 * again). `only`: expressions whose names are not all known to it stay as written.
 */
export function expand(value: string, scope: Scope, only?: (node: Node) => boolean): Expanded {
  if (!hasExpression(value)) return { ok: true, value };
  const t = parseTemplate(value);
  if (!t.ok) return { ok: false, error: `${value}: ${t.message}` };
  let out = "";
  for (const part of t.parts) {
    if (typeof part === "string") out += part;
    else if (only && !only(part.node)) out += part.text;
    else {
      const v = evaluate(part.node, scope);
      if (!v.ok) return { ok: false, error: `${part.text}: ${v.error}` };
      out += asText(v.value);
    }
  }
  return { ok: true, value: out };
}

/**
 * A value that is one expression: a bare expression (`if`), or one `${{ }}` spanning the whole
 * value. null when the value is a plain string (with `bare`, never).
 */
export function wholeExpression(value: string, bare: boolean): Whole {
  const key = `${bare ? "b" : "t"}${value}`;
  let w = wholes.get(key);
  if (w === undefined) {
    w = whole(value, bare);
    wholes.set(key, w);
  }
  return w;
}

type Whole = { ok: true; node: Node; text: string } | ({ ok: false } & ExprSyntaxError) | null;
const wholes = new Map<string, Whole>();

function whole(value: string, bare: boolean): Whole {
  const trimmed = value.trim();
  if (trimmed.startsWith("${{") && trimmed.endsWith("}}")) {
    const t = parseTemplate(trimmed);
    if (!t.ok) return { ...t, at: t.at + value.indexOf(trimmed) };
    const only = t.parts.length === 1 ? t.parts[0] : undefined;
    if (only && typeof only !== "string")
      return { ok: true, node: only.node, text: trimmed.slice(3, -2).trim() };
  }
  if (!bare) return null;
  const e = parseExpression(value);
  return e.ok ? { ok: true, node: e.node, text: value.trim() } : e;
}
