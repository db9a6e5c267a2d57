// Property-based: whatever it is given, the loader returns (never throws) a graph exactly when no
// diagnostic is an error, and every diagnostic points inside the text; random DAGs load into a plan
// order that respects every need.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocument, stringify } from "yaml";
import { position } from "../../src/load/diagnostic.js";
import { loadText } from "../../src/load/index.js";
import { parse } from "../../src/load/parse.js";

const runs = { numRuns: 1000 };

/** Loads `text` and checks what must hold of any result. */
function loadsSoundly(text: string, path = "any.yaml"): void {
  const r = loadText(text, path); // a throw fails the property
  expect(r.graph === undefined).toBe(r.diagnostics.some((d) => d.severity === "error"));
  const lines = text.split("\n");
  for (const d of r.diagnostics) {
    expect(d.source.text).toBe(text);
    expect(0 <= d.range[0] && d.range[0] <= d.range[1] && d.range[1] <= text.length).toBe(true);
    const p = position(d);
    for (const [line, column] of [
      [p.line, p.column],
      [p.endLine, p.endColumn],
    ] as const) {
      expect(line).toBeGreaterThanOrEqual(1);
      expect(line).toBeLessThanOrEqual(lines.length);
      expect(column).toBeGreaterThanOrEqual(1);
      expect(column).toBeLessThanOrEqual(lines[line - 1]!.length + 1);
    }
  }
}

describe("loader properties", () => {
  it("loads arbitrary text soundly", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => loadsSoundly(text)),
      runs,
    );
  });

  it("loads arbitrary YAML-ish documents soundly", () => {
    const job = fc.record(
      {
        command: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.jsonValue()),
        target: fc.string(),
        needs: fc.oneof(
          fc.array(fc.constantFrom("a", "b", "c", "zz")),
          fc.dictionary(fc.constantFrom("a", "b", "c"), fc.constantFrom("success", "ready", "x")),
        ),
        daemon: fc.boolean(),
        shell: fc.oneof(fc.boolean(), fc.string()),
        timeout: fc.oneof(fc.string(), fc.integer()),
        matrix: fc.dictionary(fc.string(), fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 })),
        ready: fc.jsonValue(),
        health: fc.jsonValue(),
        env_file: fc.oneof(fc.string(), fc.jsonValue()),
        args: fc.array(fc.jsonValue(), { maxLength: 3 }),
        env: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.jsonValue())),
      },
      { requiredKeys: [] },
    );
    const doc = fc.record(
      {
        version: fc.oneof(fc.constant(1), fc.jsonValue()),
        jobs: fc.oneof(fc.dictionary(fc.constantFrom("a", "b", "c", "bad name", ""), job), fc.jsonValue()),
        defaults: fc.jsonValue(),
        env: fc.jsonValue(),
        env_file: fc.jsonValue(),
        concurrency: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(doc, fc.jsonValue()), (value) => loadsSoundly(stringify(value))),
      runs,
    );
  });

  it("loads random edits of the example files soundly", () => {
    const dir = new URL("../../jobs/", import.meta.url).pathname;
    const texts = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => readFileSync(`${dir}${f}`, "utf8"));
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.nat(),
        fc.nat(20),
        fc.string({ maxLength: 12 }),
        (text, at, cut, insert) => {
          const i = at % text.length;
          loadsSoundly(
            text.slice(0, i) + insert + text.slice(Math.min(text.length, i + cut)),
            `${dir}edited.yaml`,
          );
        },
      ),
      runs,
    );
  });

  it("builds the value yaml's toJS builds, whatever the keys, aliases, merges and tags", () => {
    const lines = fc.constantFrom(
      "a: 1",
      "a: 2",
      "b:",
      "  - x",
      "  - &anchor { c: 3 }",
      "  - *anchor",
      "<<: { m: 1 }",
      "<<: *anchor",
      '"<<": quoted',
      "__proto__: { p: 1 }",
      "toString: t",
      "~: null key",
      "null: word",
      "1: one",
      "true: yes",
      "? [k]",
      ": collection key",
      "s: !!set { x }",
      "o: !!omap [ x: 1 ]",
      "f: [ y: 2 ]",
      "  d: 4",
      "- z",
    );
    const text = fc.oneof(
      fc.array(lines, { maxLength: 8 }).map((ls) => ls.join("\n")),
      fc.jsonValue().map((v) => stringify(v)),
    );
    fc.assert(
      fc.property(text, (t) => {
        const parsed = parse({ path: "any.yaml", text: t }, []);
        if (!parsed) return;
        const doc = parseDocument(t, {
          uniqueKeys: false,
          merge: true,
          logLevel: "error",
          resolveKnownTags: false,
        });
        expect(parsed.value).toStrictEqual(doc.toJS({ maxAliasCount: 1000 }));
      }),
      runs,
    );
  });

  it("orders random DAGs so that every job comes after what it needs", () => {
    const dag = fc
      .integer({ min: 1, max: 40 })
      .chain((n) => fc.array(fc.array(fc.nat(), { maxLength: 4 }), { minLength: n, maxLength: n }));
    fc.assert(
      fc.property(dag, fc.boolean(), (edges, shuffle) => {
        // Job i may need only jobs with a smaller index (a DAG); write them in reverse to test the sort.
        const names = edges.map((_, i) => `j${i}`);
        const jobs: Record<string, unknown> = {};
        const order = shuffle ? [...names].reverse() : names;
        for (const name of order) {
          const i = Number(name.slice(1));
          const needs = i === 0 ? [] : [...new Set(edges[i]!.map((e) => `j${e % i}`))];
          jobs[name] = { command: "true", needs };
        }
        const { graph, diagnostics } = loadText(stringify({ version: 1, jobs }), "dag.yaml");
        expect(diagnostics).toEqual([]);
        const position = new Map(graph!.jobs.map((j, i) => [j.name, i]));
        for (const job of graph!.jobs) {
          for (const need of job.needs) expect(position.get(need.job)!).toBeLessThan(position.get(job.name)!);
          for (const need of job.needs)
            expect(graph!.jobs[position.get(need.job)!]!.weight).toBeGreaterThan(job.weight);
        }
        expect(graph!.jobs.length).toBe(names.length);
      }),
      runs,
    );
  });
});
