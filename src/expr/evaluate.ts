// The evaluator: a parsed expression and the values of its names → a value, with GitHub Actions'
// semantics (loose `==`, case-insensitive strings, null for a missing property), except that a
// missing key of a job's result is an error (SPEC §14). Pure: no I/O, nothing run as code.
import { type Node, staticPath, type Value } from "./ast.js";

/** The values of the root names (`env`, `matrix`, `job`, `run`, `needs`, `jobs`). */
export type Scope = Readonly<Record<string, Value | undefined>>;

export type Evaluated = { ok: true; value: Value } | { ok: false; error: string };

class Unevaluable extends Error {}

export function evaluate(node: Node, scope: Scope): Evaluated {
  try {
    return { ok: true, value: value(node, scope) };
  } catch (e) {
    if (e instanceof Unevaluable) return { ok: false, error: e.message };
    throw e;
  }
}

export function truthy(v: Value): boolean {
  return !(v === null || v === false || v === 0 || v === "" || Number.isNaN(v));
}

/** A value as text, the way the string functions see it. */
export function text(v: Value): string {
  if (v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return Array.isArray(v) ? "Array" : "Object";
}

export function toJSON(v: Value): string {
  return JSON.stringify(v, null, 2);
}

function value(node: Node, scope: Scope): Value {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "name":
      return lookup(scope, node.name) ?? null;
    case "member":
      return member(node, scope);
    case "filter":
      return filter(value(node.object, scope));
    case "not":
      return !truthy(value(node.operand, scope));
    case "binary": {
      const left = value(node.left, scope);
      if (node.op === "&&") return truthy(left) ? value(node.right, scope) : left;
      if (node.op === "||") return truthy(left) ? left : value(node.right, scope);
      const right = value(node.right, scope);
      switch (node.op) {
        case "==":
          return looseEqual(left, right);
        case "!=":
          return !looseEqual(left, right);
        default:
          return compare(node.op, left, right);
      }
    }
    case "call":
      return call(
        node.fn,
        node.args.map((a) => value(a, scope)),
      );
  }
}

function lookup(obj: { readonly [k: string]: Value | undefined }, key: string): Value | undefined {
  if (Object.hasOwn(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  const found = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : obj[found];
}

/** Lists made by `.*`: a property of one is the property of each of its items (GitHub's object filter). */
const filtered = new WeakSet<readonly Value[]>();

function filter(v: Value): Value {
  const items = Array.isArray(v) ? (filtered.has(v) ? v.flatMap(itemsOf) : [...v]) : itemsOf(v);
  filtered.add(items);
  return items;
}

const itemsOf = (v: Value): Value[] =>
  Array.isArray(v) ? [...v] : v !== null && typeof v === "object" ? Object.values(v) : [];

function member(node: Extract<Node, { kind: "member" }>, scope: Scope): Value {
  const object = value(node.object, scope);
  const key = value(node.property, scope);
  if (Array.isArray(object) && filtered.has(object)) {
    const picked: Value[] = [];
    for (const item of object)
      if (item !== null && typeof item === "object" && !Array.isArray(item)) {
        const found = lookup(item as Record<string, Value>, text(key));
        if (found !== undefined) picked.push(found);
      }
    filtered.add(picked);
    return picked;
  }
  const path = staticPath(node.object);
  // `needs.<job>.result.<key>`: a typo must not pass silently.
  const strict = path?.length === 3 && path[0] === "needs" && path[2] === "result";
  if (Array.isArray(object)) {
    const i = typeof key === "number" ? key : Number(text(key));
    return Number.isInteger(i) && i >= 0 && i < object.length ? object[i]! : null;
  }
  if (object !== null && typeof object === "object") {
    const found = lookup(object as Record<string, Value>, text(key));
    if (found === undefined && strict)
      throw new Unevaluable(`${path.join(".")} has no key ${text(key)} (it has ${keysOf(object)})`);
    return found ?? null;
  }
  if (strict) throw new Unevaluable(`${path.join(".")} is null: ${path[1]} wrote no result`);
  return null;
}

const keysOf = (o: object) => Object.keys(o).join(", ") || "none";

/** GitHub's loose equality: values of different types compare as numbers, strings ignore case. */
export function looseEqual(a: Value, b: Value): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b && (a === null || typeof a !== "object")) return a === b;
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) return a === b;
  return toNumber(a) === toNumber(b);
}

function compare(op: "<" | "<=" | ">" | ">=", a: Value, b: Value): boolean {
  let x: number | string;
  let y: number | string;
  if (typeof a === "string" && typeof b === "string") {
    x = a.toLowerCase();
    y = b.toLowerCase();
  } else {
    x = toNumber(a);
    y = toNumber(b);
  }
  switch (op) {
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    case ">=":
      return x >= y;
  }
}

function toNumber(v: Value): number {
  if (v === null) return 0;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (typeof v === "string") return v.trim() === "" ? 0 : Number(v);
  return Number.NaN;
}

function call(fn: Extract<Node, { kind: "call" }>["fn"], args: Value[]): Value {
  const [a = null, b = null] = args;
  switch (fn) {
    case "contains":
      if (Array.isArray(a)) return a.some((item) => looseEqual(item, b));
      return text(a).toLowerCase().includes(text(b).toLowerCase());
    case "startsWith":
      return text(a).toLowerCase().startsWith(text(b).toLowerCase());
    case "endsWith":
      return text(a).toLowerCase().endsWith(text(b).toLowerCase());
    case "format":
      return format(text(a), args.slice(1));
    case "join":
      return Array.isArray(a) ? a.map(text).join(args.length > 1 ? text(b) : ",") : text(a);
    case "toJSON":
      return toJSON(a);
    case "fromJSON":
      try {
        return JSON.parse(text(a)) as Value;
      } catch (e) {
        throw new Unevaluable(`fromJSON: not JSON (${(e as Error).message}): ${clip(text(a))}`);
      }
  }
}

function format(pattern: string, values: Value[]): string {
  return pattern.replace(/\{\{|\}\}|\{(\d+)\}|[{}]/g, (m, index?: string) => {
    if (m === "{{") return "{";
    if (m === "}}") return "}";
    if (index === undefined) throw new Unevaluable(`format: a lone ${m} in '${pattern}' (write ${m}${m})`);
    const i = Number(index);
    if (i >= values.length)
      throw new Unevaluable(`format: '${pattern}' uses {${i}} but has ${values.length} value(s)`);
    return text(values[i]!);
  });
}

const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
