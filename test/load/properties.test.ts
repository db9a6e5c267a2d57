// Property-based: the loader never throws, whatever it is given; random DAGs load into a plan order
// that respects every need.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadText } from "../../src/load/index.js";

const runs = { numRuns: 1000 };

describe("loader properties", () => {
  it("returns diagnostics or a graph for arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
        const r = loadText(text, "any.yaml");
        expect(r.graph !== undefined || r.diagnostics.length > 0).toBe(true);
      }),
      runs,
    );
  });

  it("returns diagnostics or a graph for arbitrary YAML-ish documents", () => {
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
      fc.property(fc.oneof(doc, fc.jsonValue()), (value) => {
        const r = loadText(stringify(value), "any.yaml");
        expect(r.graph !== undefined || r.diagnostics.length > 0).toBe(true);
      }),
      runs,
    );
  });

  it("returns diagnostics or a graph for random edits of the example files", () => {
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
          const r = loadText(
            text.slice(0, i) + insert + text.slice(Math.min(text.length, i + cut)),
            `${dir}edited.yaml`,
          );
          expect(r.graph !== undefined || r.diagnostics.length > 0).toBe(true);
        },
      ),
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
