// Text → YAML document and plain value, with syntax errors, duplicate keys and a way back from a
// value's path to its place in the text.
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parseDocument,
  YAMLMap,
  YAMLSeq,
} from "yaml";
import type { Source } from "../graph/source.js";
import { type Diagnostic, position } from "./diagnostic.js";

export type Path = readonly (string | number)[];

export interface Parsed {
  readonly value: unknown;
  readonly locate: Locator;
  /** Where each entry of a map is (say, each job of `jobs`), in one pass over the map. */
  readonly fields: FieldLocator;
}

/** Where an entry of a map is: the range of its key, and of each of its own fields' values. */
export interface Located {
  readonly key: [number, number];
  readonly fields: Record<string, [number, number]>;
}

/** Each entry of the map at `path`, by key, located (the first, for a key written twice). */
export type FieldLocator = (path: Path) => ReadonlyMap<string, Located>;

/** A path as users read it: `jobs.a.args[0]`, or `(file)` for the whole file. */
export function pathText(path: Path): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`;
  return out || "(file)";
}

/** Maps a path in the parsed value to the range of its YAML node (or of its key, for `key: true`). */
export type Locator = (path: Path, opts?: { key?: boolean }) => [number, number];

/** Aliases may be expanded this many times per document; more is treated as an alias bomb. */
const MAX_ALIAS_COUNT = 1000;

export function parse(source: Source, diagnostics: Diagnostic[]): Parsed | undefined {
  // Merge keys cost yaml a test of every plain scalar (~5 % of the parse): asked for only where one
  // can be written at all.
  const merge = source.text.includes("<<");
  // YAML 1.1 tags (`!!binary`, `!!timestamp`, `!!set`…) would make values no job field takes (a Buffer,
  // a Date): left unresolved, such a value is read as the text it is.
  const doc = parseDocument(source.text, {
    uniqueKeys: false,
    prettyErrors: false,
    merge,
    resolveKnownTags: false,
  });
  const error = (range: [number, number], code: string, message: string) =>
    diagnostics.push({ source, range, severity: "error", code, message });
  // yaml places a problem at the end of the input one character past it.
  const inText = ([from, to]: [number, number]): [number, number] => [
    Math.min(from, source.text.length),
    Math.min(to, source.text.length),
  ];
  // After a syntax error yaml reports every token it could not place, often several on one line:
  // the first of each line is the one to fix.
  let lastLine = 0;
  for (const e of doc.errors) {
    const { line } = position({ source, range: inText(e.pos) });
    if (line === lastLine) continue;
    lastLine = line;
    const unquoted =
      source.text.startsWith("${{", e.pos[0] - 1) || source.text.startsWith("${{", e.pos[0] - 2);
    error(
      inText(e.pos),
      "yaml-syntax",
      e.code === "MULTIPLE_DOCS"
        ? `a job file is one YAML document: remove this "---" and what follows, or make it a file of its own`
        : unquoted
          ? `${firstLine(e.message)}: quote a value that holds \${{ … }}`
          : firstLine(e.message),
    );
  }
  for (const w of doc.warnings)
    diagnostics.push({
      source,
      range: inText(w.pos),
      severity: "warning",
      code: "yaml-warning",
      message: firstLine(w.message).replace(
        /^Unresolved tag: tag:yaml\.org,2002:(\w+)$/,
        "the tag !!$1 is not read here: the value is taken as the text it is",
      ),
    });
  if (doc.errors.length > 0) return undefined;
  const checked = checkedValue(doc, source, diagnostics);
  if (checked) return { value: checked.value, ...locators(doc) };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // yaml reports two document-level problems only while building values: alias bombs and
    // merge keys (<<) whose value is not a map.
    const message = (e as Error).message;
    const unresolved = unresolvedAlias(doc);
    if (unresolved)
      error(
        rangeOf(unresolved),
        "yaml-alias",
        `*${unresolved.source} names no anchor: set &${unresolved.source} on a value before it, or write the value`,
      );
    else if (e instanceof ReferenceError)
      error([0, Math.min(source.text.length, 1)], "yaml-aliases", `${message}; expand fewer aliases`);
    else if (/^Merge sources/.test(message))
      error(badMergeKey(doc), "yaml-merge", `${message}: the value of "<<" must be a map or an alias of one`);
    else throw e;
    return undefined;
  }
  return { value, ...locators(doc) };
}

const firstLine = (message: string) => message.split("\n", 1)[0]!.replace(/ at line \d+, column \d+:?$/, "");

/** A map key as text; merge keys (which yaml holds as a symbol) read "<<". */
const keyString = (key: unknown): string | undefined =>
  isScalar(key) ? (typeof key.value === "symbol" ? "<<" : String(key.value)) : key == null ? "" : undefined;

/**
 * Checks every map for duplicate keys (linearly: yaml's own `uniqueKeys` is quadratic in the number
 * of keys) and, in the same walk, builds the document's value as yaml's toJS would. Returns
 * undefined when the document has what only toJS handles (aliases and their limit, merge keys,
 * tagged collections, keys that are not strings, numbers or booleans): its value is left to toJS.
 */
function checkedValue(
  doc: Document,
  source: Source,
  diagnostics: Diagnostic[],
): { value: unknown } | undefined {
  let plain = true;
  const visit = (node: unknown): unknown => {
    if (isScalar(node)) return node.value;
    if (isMap(node)) {
      if (Object.getPrototypeOf(node) !== YAMLMap.prototype) plain = false;
      const out: Record<string, unknown> = {};
      const { items } = node;
      checkKeys(items, source, diagnostics);
      for (let i = 0; i < items.length; i++) {
        const pair = items[i]!;
        const value = visit(pair.value);
        const name = plain ? plainKey(pair.key) : undefined;
        if (name === undefined) plain = false;
        // As toJS: every key is an own property. Assigning makes one (a key met again is overwritten,
        // an inherited method shadowed) except for __proto__, whose inherited setter would run instead;
        // checking that one name is cheaper than `in` on each key, which searches the prototype too.
        else if (name === "__proto__")
          Object.defineProperty(out, name, { value, writable: true, enumerable: true, configurable: true });
        else out[name] = value;
      }
      return out;
    }
    if (isSeq(node)) {
      if (Object.getPrototypeOf(node) !== YAMLSeq.prototype) plain = false;
      return node.items.map(visit);
    }
    if (node != null) plain = false; // an alias, or a pair in a list
    return node;
  };
  const value = visit(doc.contents);
  return plain ? { value } : undefined;
}

/**
 * Up to this many keys (most maps: a job's fields, its env), a map's keys are compared with those
 * before them instead of indexed: an index per map is most of the garbage of the walk.
 */
const SMALL_MAP = 8;

/** The keys of a small map, each read once (one array for the whole walk: checkKeys does not recurse). */
const smallKeys: (string | undefined)[] = new Array(SMALL_MAP);

/** Reports each key of a map written again after its first (merge keys aside). */
function checkKeys(items: readonly Pair[], source: Source, diagnostics: Diagnostic[]) {
  const seen = items.length > SMALL_MAP ? new Map<string, Pair>() : undefined;
  for (let i = 0; i < items.length; i++) {
    const pair = items[i]!;
    const key = keyString(pair.key);
    if (!seen) smallKeys[i] = key;
    if (key === undefined || key === "<<") continue;
    let first: Pair | undefined;
    if (seen) first = seen.get(key);
    else for (let j = 0; j < i && !first; j++) if (smallKeys[j] === key) first = items[j];
    if (first) duplicateKey(pair, first, key, source, diagnostics);
    else seen?.set(key, pair);
  }
}

/** A key as toJS names its property, when it is a plain scalar that cannot be a merge key. */
function plainKey(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  const v = key.value;
  if (typeof v === "string") return v === "<<" ? undefined : v; // nearly every key
  if (v === null) return "";
  if (typeof v === "object" || typeof v === "symbol") return undefined;
  return String(v);
}

function duplicateKey(pair: Pair, first: Pair, key: string, source: Source, diagnostics: Diagnostic[]) {
  const at = rangeOf(pair.key as Node);
  const firstLine = position({ source, range: rangeOf(first.key as Node) }).line;
  diagnostics.push({
    source,
    range: at,
    severity: "error",
    code: "duplicate-key",
    message: `duplicate key "${key}" (first defined on line ${firstLine}); remove one of them`,
  });
}

/** The first alias whose anchor is not set before it, if any. */
function unresolvedAlias(doc: Document): Alias | undefined {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node) && node.resolve(doc) === undefined) return node;
    if (isMap(node)) for (const pair of node.items) stack.push(pair.key, pair.value);
    else if (isSeq(node)) stack.push(...node.items);
  }
  return undefined;
}

/** The range of the first merge key (<<) whose value is not a map, an alias of one, or a list of them. */
function badMergeKey(doc: Document): [number, number] {
  const isMapLike = (v: unknown) => isMap(isAlias(v) ? v.resolve(doc) : v);
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node))
      for (const pair of node.items) {
        const v = pair.value;
        const mergeOk = isMapLike(v) || (isSeq(v) && v.items.every(isMapLike));
        if (keyString(pair.key) === "<<" && !mergeOk) return rangeOf(pair.key as Node);
        stack.push(v);
      }
    else if (isSeq(node)) stack.push(...node.items);
  }
  return [0, 0];
}

function rangeOf(node: Node | null | undefined): [number, number] {
  const r = node?.range;
  return r ? [r[0], r[1]] : [0, 0];
}

function locators(doc: Document): { locate: Locator; fields: FieldLocator } {
  const indexes = new WeakMap<object, Map<string, Pair>>();
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  const pairIn = (map: { items: Pair[] }, key: string): Pair | undefined => {
    let index = indexes.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) {
        const k = keyString(pair.key);
        if (k !== undefined && !index.has(k)) index.set(k, pair);
      }
      indexes.set(map, index);
    }
    return index.get(key);
  };
  /** The node at `path`, the key node of its pair, and whether the whole path was found. */
  const walk = (path: Path): { node: unknown; keyNode: unknown; found: boolean } => {
    let node: unknown = resolve(doc.contents);
    let keyNode: unknown;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = pairIn(node, String(segment));
        if (!pair) return { node, keyNode, found: false };
        keyNode = pair.key;
        node = resolve(pair.value);
      } else if (isSeq(node) && typeof segment === "number" && segment < node.items.length) {
        keyNode = undefined;
        node = resolve(node.items[segment]);
      } else return { node, keyNode, found: false };
    }
    return { node, keyNode, found: true };
  };
  const locate: Locator = (path, opts) => {
    const { node, keyNode, found } = walk(path);
    if (!found || node == null || (opts?.key && keyNode)) return rangeOf((keyNode ?? node) as Node);
    if (isPair(node)) return rangeOf(node.key as Node);
    return rangeOf(node as Node);
  };
  const fieldRanges = (node: unknown): Record<string, [number, number]> => {
    const out: Record<string, [number, number]> = {};
    if (isMap(node))
      for (const pair of node.items) {
        const key = keyString(pair.key);
        if (key !== undefined) out[key] = rangeOf((pair.value ?? pair.key) as Node);
      }
    return out;
  };
  const fields: FieldLocator = (path) => {
    const { node, found } = walk(path);
    const out = new Map<string, Located>();
    if (found && isMap(node))
      for (const pair of node.items) {
        const key = keyString(pair.key);
        if (key === undefined || out.has(key)) continue;
        const value = resolve(pair.value);
        out.set(key, { key: rangeOf((pair.key ?? value) as Node), fields: fieldRanges(value) });
      }
    return out;
  };
  return { locate, fields };
}
