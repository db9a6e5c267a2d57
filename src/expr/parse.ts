// The expression parser: text → Node, or a syntax error at its offset. A small recursive descent
// over GitHub Actions' grammar (literals, names, `.`/`[]` access, calls of the known functions,
// `!`, comparisons, `&&`, `||`, parentheses). Nothing is ever evaluated as code.
import { type BinaryOp, type ExprSyntaxError, FUNCTIONS, type FunctionName, type Node } from "./ast.js";

type Token =
  | { readonly t: "num"; readonly value: number; readonly at: number }
  | { readonly t: "str"; readonly value: string; readonly at: number }
  | { readonly t: "id"; readonly value: string; readonly at: number }
  | { readonly t: "op"; readonly value: string; readonly at: number }
  | { readonly t: "end"; readonly at: number };

class Fail extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

const OPS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ".", ",", "*"];
// Names may hold `-` (GitHub's job ids do) and, after a dot, start with a digit (procflow's job names may).
const ID = /[A-Za-z_][A-Za-z0-9_-]*/y;
const MEMBER_ID = /[A-Za-z0-9_][A-Za-z0-9_-]*/y;
const NUMBER = /-?(?:0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/y;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new Fail("unterminated string: close it with '", i);
        if (text[j] === "'") {
          if (text[j + 1] !== "'") break;
          value += "'";
          j += 2;
        } else value += text[j++];
      }
      out.push({ t: "str", value, at: i });
      i = j + 1;
      continue;
    }
    const prev = out[out.length - 1];
    const afterDot = prev?.t === "op" && prev.value === ".";
    const idRe = afterDot ? MEMBER_ID : ID;
    idRe.lastIndex = i;
    const id = idRe.exec(text);
    if (id) {
      out.push({ t: "id", value: id[0], at: i });
      i += id[0].length;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = c === "-" || /[\d.]/.test(c) ? NUMBER.exec(text) : null;
    if (num) {
      const value = Number(num[0]);
      if (Number.isNaN(value)) throw new Fail(`bad number ${num[0]}`, i);
      out.push({ t: "num", value, at: i });
      i += num[0].length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw new Fail(c === '"' ? "strings use single quotes: 'text'" : `unexpected character ${c}`, i);
    out.push({ t: "op", value: op, at: i });
    i += op.length;
  }
  out.push({ t: "end", at: text.length });
  return out;
}

const LEVELS: readonly (readonly BinaryOp[])[] = [["||"], ["&&"], ["==", "!="], ["<", "<=", ">", ">="]];

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private get peek(): Token {
    return this.tokens[this.i]!;
  }

  private isOp(value: string): boolean {
    const t = this.peek;
    return t.t === "op" && t.value === value;
  }

  private expect(value: string, what: string): void {
    if (!this.isOp(value)) throw new Fail(`expected ${what}${this.found()}`, this.peek.at);
    this.i++;
  }

  private found(): string {
    const t = this.peek;
    return t.t === "end"
      ? " before the end"
      : ` but found ${t.t === "str" ? `'${t.value}'` : String(t.value)}`;
  }

  parseAll(): Node {
    if (this.peek.t === "end") throw new Fail("empty expression", 0);
    const node = this.binary(0);
    const rest: Token = this.tokens[this.i]!;
    if (rest.t !== "end") throw new Fail(`unexpected ${this.found().replace(" but found ", "")}`, rest.at);
    return node;
  }

  private binary(level: number): Node {
    if (level === LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek;
      const op = t.t === "op" ? LEVELS[level]!.find((o) => o === t.value) : undefined;
      if (!op) return left;
      this.i++;
      left = { kind: "binary", op, left, right: this.binary(level + 1), at: t.at };
    }
  }

  private unary(): Node {
    const t = this.peek;
    if (t.t === "op" && t.value === "!") {
      this.i++;
      return { kind: "not", operand: this.unary(), at: t.at };
    }
    return this.postfix(this.primary());
  }

  private postfix(node: Node): Node {
    for (;;) {
      const t = this.peek;
      if (this.isOp(".")) {
        this.i++;
        const name = this.peek;
        if (name.t === "op" && name.value === "*") {
          this.i++;
          node = { kind: "filter", object: node, at: t.at };
          continue;
        }
        if (name.t !== "id") throw new Fail(`expected a property name after .${this.found()}`, name.at);
        this.i++;
        node = {
          kind: "member",
          object: node,
          property: { kind: "literal", value: name.value, at: name.at },
          at: t.at,
        };
      } else if (this.isOp("[")) {
        this.i++;
        const property = this.binary(0);
        this.expect("]", "]");
        node = { kind: "member", object: node, property, at: t.at };
      } else return node;
    }
  }

  private primary(): Node {
    const t = this.peek;
    this.i++;
    switch (t.t) {
      case "num":
      case "str":
        return { kind: "literal", value: t.value, at: t.at };
      case "id":
        if (t.value === "true" || t.value === "false")
          return { kind: "literal", value: t.value === "true", at: t.at };
        if (t.value === "null") return { kind: "literal", value: null, at: t.at };
        if (this.isOp("(")) return this.call(t.value, t.at);
        return { kind: "name", name: t.value, at: t.at };
      case "op":
        if (t.value === "(") {
          const inner = this.binary(0);
          this.expect(")", ")");
          return inner;
        }
        break;
      case "end":
        throw new Fail("the expression ends too early", t.at);
    }
    throw new Fail(`unexpected ${t.value}`, t.at);
  }

  private call(name: string, at: number): Node {
    const fn = FUNCTIONS.find((f) => f.toLowerCase() === name.toLowerCase());
    if (!fn) throw new Fail(`unknown function ${name}() (known: ${FUNCTIONS.join(", ")})`, at);
    this.i++; // (
    const args: Node[] = [];
    if (!this.isOp(")"))
      for (;;) {
        args.push(this.binary(0));
        if (!this.isOp(",")) break;
        this.i++;
      }
    this.expect(")", `, or ) in ${fn}()`);
    const problem = arity(fn, args.length);
    if (problem) throw new Fail(`${fn}() takes ${problem}`, at);
    return { kind: "call", fn, args, at };
  }
}

function arity(fn: FunctionName, n: number): string | null {
  const [min, max] =
    fn === "toJSON" || fn === "fromJSON"
      ? [1, 1]
      : fn === "join"
        ? [1, 2]
        : fn === "format"
          ? [1, Number.POSITIVE_INFINITY]
          : [2, 2];
  if (n >= min && n <= max) return null;
  return min === max
    ? `${min} argument${min === 1 ? "" : "s"}`
    : max === 2
      ? "1 or 2 arguments"
      : "a format string and its values";
}

/** Parses one expression (the text between `${{` and `}}`, or a bare `if`). */
export function parseExpression(text: string): { ok: true; node: Node } | ({ ok: false } & ExprSyntaxError) {
  try {
    return { ok: true, node: new Parser(tokenize(text)).parseAll() };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, message: e.message, at: e.at };
    throw e;
  }
}
