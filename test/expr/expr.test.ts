// The expression language on its own (pure): parsing, every operator and function, GitHub's loose
// semantics, the strict result keys, templates, and syntax errors at their offsets.
import { describe, expect, it } from "vitest";
import type { Value } from "../../src/expr/ast.js";
import { evaluate, type Scope } from "../../src/expr/evaluate.js";
import { parseExpression } from "../../src/expr/parse.js";
import { expand, parseTemplate, wholeExpression } from "../../src/expr/template.js";

const scope: Scope = {
  env: { HOME: "/home/me", EMPTY: "" },
  matrix: { shard: "b", n: 2 },
  job: { name: "work[shard=b]" },
  run: { id: "r1" },
  needs: {
    plan: {
      result: { shards: '["a","b","c"]', coverage: "85", multi: "x\ny" },
      state: "succeeded",
      ok: true,
    },
    silent: { result: null, state: "succeeded", ok: true },
    m: { results: { "m[i=1]": { v: "1" } }, state: "failed", ok: false },
  },
};

function run(text: string, s: Scope = scope): Value {
  const p = parseExpression(text);
  if (!p.ok) throw new Error(`parse: ${p.message} at ${p.at}`);
  const v = evaluate(p.node, s);
  if (!v.ok) throw new Error(`eval: ${v.error}`);
  return v.value;
}

function error(text: string): string {
  const p = parseExpression(text);
  if (!p.ok) throw new Error(`parse: ${p.message}`);
  const v = evaluate(p.node, scope);
  if (v.ok) throw new Error(`evaluated to ${JSON.stringify(v.value)}`);
  return v.error;
}

describe("literals and names", () => {
  it.each([
    ["'it''s'", "it's"],
    ["42", 42],
    ["-1.5", -1.5],
    ["0x10", 16],
    ["1e3", 1000],
    ["true", true],
    ["false", false],
    ["null", null],
    ["env.HOME", "/home/me"],
    ["ENV.home", "/home/me"],
    ["matrix.n", 2],
    ["job.name", "work[shard=b]"],
    ["run.id", "r1"],
    ["needs.plan.state", "succeeded"],
    ["needs.plan.ok", true],
    ["needs.plan.result.coverage", "85"],
    ["needs.plan.result['coverage']", "85"],
    ["needs.m.results['m[i=1]'].v", "1"],
    ["env.MISSING", null],
    ["nothing.at.all", null],
    ["fromJSON('[1,2]')[1]", 2],
    ["fromJSON('[1,2]')[5]", null],
  ])("%s", (text, want) => {
    expect(run(text)).toEqual(want);
  });
});

describe("operators", () => {
  it.each([
    ["1 == 1", true],
    ["'ABC' == 'abc'", true],
    ["'1' == 1", true],
    ["null == 0", true],
    ["true == 1", true],
    ["'' == 0", true],
    ["'x' == 0", false],
    ["1 != 2", true],
    ["'a' != 'A'", false],
    ["1 < 2", true],
    ["2 <= 2", true],
    ["3 > 2", true],
    ["2 >= 3", false],
    ["'a' < 'B'", true],
    ["needs.plan.result.coverage >= 80", true],
    ["needs.plan.result.coverage < 80", false],
    ["true && 'yes'", "yes"],
    ["0 && 'yes'", 0],
    ["'' || 'fallback'", "fallback"],
    ["'first' || 'fallback'", "first"],
    ["!true", false],
    ["!0", true],
    ["!''", true],
    ["!!'x'", true],
    ["1 == 1 && 2 == 3 || true", true],
    ["1 == 1 && (2 == 3 || false)", false],
    ["!(1 == 2)", true],
  ])("%s", (text, want) => {
    expect(run(text)).toEqual(want);
  });
});

describe("functions", () => {
  it.each([
    ["contains('Hello world', 'WORLD')", true],
    ["contains(fromJSON('[\"a\",\"b\"]'), 'B')", true],
    ["contains(fromJSON('[1,2]'), 3)", false],
    ["startsWith('procflow', 'PROC')", true],
    ["startsWith('procflow', 'flow')", false],
    ["endsWith('procflow', 'FLOW')", true],
    ["format('{0}-{1} {{x}}', 'a', 2)", "a-2 {x}"],
    ['join(fromJSON(\'["a","b"]\'))', "a,b"],
    ["join(fromJSON('[\"a\",\"b\"]'), ' + ')", "a + b"],
    ["join('solo', ',')", "solo"],
    ["toJSON(matrix.n)", "2"],
    ["toJSON(fromJSON('{\"a\":[1]}'))", '{\n  "a": [\n    1\n  ]\n}'],
    ["fromJSON(needs.plan.result.shards)", ["a", "b", "c"]],
    ["fromJSON('true')", true],
    ["TOJSON('x')", '"x"'],
    ["needs.m.results.*.v", ["1"]],
    ['join(fromJSON(\'{"a":{"n":1},"b":{"n":2},"c":{}}\').*.n, \'+\')', "1+2"],
    ["fromJSON('[[1,2],[3]]').*.*", [1, 2, 3]],
    ['contains(fromJSON(\'[{"n":1},{"n":2}]\').*.n, 2)', true],
    ["fromJSON('\"text\"').*", []],
  ])("%s", (text, want) => {
    expect(run(text)).toEqual(want);
  });

  it("fails on bad JSON and bad format strings, with what was wrong", () => {
    expect(error("fromJSON('[oops')")).toMatch(/^fromJSON: not JSON .*\[oops/);
    expect(error("format('{2}', 'a')")).toMatch(/uses \{2\} but has 1 value/);
    expect(error("format('{', 'a')")).toMatch(/lone \{/);
  });
});

describe("results are strict", () => {
  it("a missing key of a referenced result is an error naming it, not null", () => {
    expect(error("needs.plan.result.coverag")).toBe(
      "needs.plan.result has no key coverag (it has shards, coverage, multi)",
    );
    expect(error("needs.silent.result.x")).toBe("needs.silent.result is null: silent wrote no result");
  });

  it("other missing properties are null, as in GitHub Actions", () => {
    expect(run("needs.plan.nothing")).toBeNull();
    expect(run("needs.silent.result")).toBeNull();
  });
});

describe("syntax errors are found at their offset", () => {
  it.each([
    ["1 +", "unexpected character +", 2],
    [
      "foo(1)",
      "unknown function foo() (known: contains, startsWith, endsWith, format, join, toJSON, fromJSON)",
      0,
    ],
    ["'open", "unterminated string: close it with '", 0],
    ['"double"', "strings use single quotes: 'text'", 0],
    ["(1 == 1", "expected ) before the end", 7],
    ["a.", "expected a property name after . before the end", 2],
    ["contains('a')", "contains() takes 2 arguments", 0],
    ["1 1", "unexpected 1", 2],
    ["", "empty expression", 0],
    ["a ==", "the expression ends too early", 4],
    ["a.*b", "unexpected b", 3],
    ["* 1", "unexpected *", 0],
  ])("%s", (text, message, at) => {
    expect(parseExpression(text)).toEqual({ ok: false, message, at });
  });
});

describe("templates", () => {
  it("substitutes each expression as text; null is empty, other values as toJSON writes them", () => {
    expect(expand("--shard=${{ matrix.shard }} n=${{matrix.n}} ${{ env.MISSING }}|", scope)).toEqual({
      ok: true,
      value: "--shard=b n=2 |",
    });
    expect(expand("${{ fromJSON('[1]') }}", scope)).toEqual({ ok: true, value: "[\n  1\n]" });
  });

  it("never evaluates a value again: a result that looks like an expression stays text", () => {
    const s: Scope = { needs: { t: { result: { v: "${{ env.HOME }} $(touch x)" } } }, env: { HOME: "h" } };
    expect(expand("${{ needs.t.result.v }}", s)).toEqual({ ok: true, value: "${{ env.HOME }} $(touch x)" });
  });

  it("leaves expressions it is not asked for as written", () => {
    const onlyMatrix = (n: import("../../src/expr/ast.js").Node) =>
      n.kind === "member" && n.object.kind === "name" && n.object.name === "matrix";
    expect(expand("${{ matrix.n }}-${{ run.id }}", scope, onlyMatrix)).toEqual({
      ok: true,
      value: "2-${{ run.id }}",
    });
  });

  it("finds `}}` inside a string and reports errors at their offset in the whole value", () => {
    expect(expand("${{ format('{0}}}', 'a') }}", scope)).toEqual({ ok: true, value: "a}" });
    expect(parseTemplate("x ${{ 1 ++ }}")).toMatchObject({ ok: false, at: 8 });
    expect(parseTemplate("x ${{ 1")).toMatchObject({
      ok: false,
      message: "${{ is not closed: end it with }}",
      at: 2,
    });
  });

  it("recognizes a whole-value expression, bare or in ${{ }}", () => {
    expect(wholeExpression("${{ needs.a.ok }}", false)).toMatchObject({ ok: true, text: "needs.a.ok" });
    expect(wholeExpression("needs.a.ok", true)).toMatchObject({ ok: true, text: "needs.a.ok" });
    expect(wholeExpression("plain", false)).toBeNull();
    expect(wholeExpression("a ${{ b }}", false)).toBeNull();
  });
});
