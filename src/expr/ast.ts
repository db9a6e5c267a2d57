// The expression language's syntax tree (SPEC §14): what the parser makes once at load time and
// the evaluator reads. Plain data; `at` is the offset of the node in the expression's text.

export type Value = null | boolean | number | string | readonly Value[] | { readonly [key: string]: Value };

export const FUNCTIONS = [
  "contains",
  "startsWith",
  "endsWith",
  "format",
  "join",
  "toJSON",
  "fromJSON",
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export type BinaryOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "&&" | "||";

export type Node =
  | { readonly kind: "literal"; readonly value: null | boolean | number | string; readonly at: number }
  /** A root name: `env`, `matrix`, `needs`… */
  | { readonly kind: "name"; readonly name: string; readonly at: number }
  /** `object.name` (property is a string literal) or `object[expr]`. */
  | { readonly kind: "member"; readonly object: Node; readonly property: Node; readonly at: number }
  /** `object.*`: the values of an object (or the items of a list), as one list. */
  | { readonly kind: "filter"; readonly object: Node; readonly at: number }
  | { readonly kind: "call"; readonly fn: FunctionName; readonly args: readonly Node[]; readonly at: number }
  | { readonly kind: "not"; readonly operand: Node; readonly at: number }
  | {
      readonly kind: "binary";
      readonly op: BinaryOp;
      readonly left: Node;
      readonly right: Node;
      readonly at: number;
    };

/** A mistake in an expression's text, at an offset into it. */
export interface ExprSyntaxError {
  readonly message: string;
  readonly at: number;
}

/**
 * The static name a node stands for, as its segments (`needs.build.result.version` → [needs, build,
 * result, version]), or null when a part of it is computed.
 */
export function staticPath(node: Node): string[] | null {
  if (node.kind === "name") return [node.name];
  if (node.kind !== "member" || node.property.kind !== "literal") return null;
  const base = staticPath(node.object);
  return base && [...base, String(node.property.value)];
}

/** Every maximal static name in a tree, with its offset (for the checks of names at validation). */
export function namesIn(node: Node, out: { path: string[]; at: number }[] = []) {
  const path = staticPath(node);
  if (path) {
    out.push({ path, at: node.kind === "member" ? rootOf(node).at : node.at });
    return out;
  }
  switch (node.kind) {
    case "member":
      namesIn(node.object, out);
      namesIn(node.property, out);
      break;
    case "call":
      for (const a of node.args) namesIn(a, out);
      break;
    case "not":
      namesIn(node.operand, out);
      break;
    case "filter":
      namesIn(node.object, out);
      break;
    case "binary":
      namesIn(node.left, out);
      namesIn(node.right, out);
      break;
  }
  return out;
}

function rootOf(node: Node): Node {
  return node.kind === "member" ? rootOf(node.object) : node;
}
