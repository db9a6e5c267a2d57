// What the scheduler does with a job whose needs are met, as `release` decides (pure: no processes):
// a false `if` is a skip that fails nothing downstream, a dynamic matrix grows its family (a need on
// it waits for every instance), and an unusable value ends the job failed under its bare name.
import { describe, expect, it } from "vitest";
import type { Scope } from "../../src/expr/evaluate.js";
import { loadText } from "../../src/load/index.js";
import { decide } from "../../src/run/release.js";
import { Scheduler } from "../../src/run/scheduler.js";

/** A scheduler whose `release` sees `results` (job → result) as the executor would. */
function scheduler(
  yaml: string,
  results: Record<string, unknown>,
  policy: "finish" | "keep-going" = "finish",
) {
  const { graph, diagnostics } = loadText(`version: 1\njobs:\n${yaml}`, "/tmp/r.yaml");
  if (!graph) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  const scope = (): Scope => ({
    needs: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { result: v as never }])),
  });
  const s = new Scheduler(graph, null, 10, policy, false, (job) => decide(job, scope()));
  return { s, skips: s.begin() };
}
const names = (jobs: { name: string }[]) => jobs.map((j) => j.name);
const finish = (s: Scheduler, name: string, state: "succeeded" | "failed" = "succeeded") => {
  s.started(name, true);
  return s.ended(name, state);
};

describe("release", () => {
  it("skips a job whose if is false; its dependents' skips do not fail the run", () => {
    const { s } = scheduler(
      "  t: { command: x }\n  p: { command: x, needs: [t], if: \"needs.t.result.n == '1'\" }\n  after: { command: x, needs: [p] }\n",
      { t: { n: "2" } },
    );
    expect(names(s.next())).toEqual(["t"]);
    const skips = finish(s, "t");
    expect(skips.map((k) => [k.job, k.cause])).toEqual([
      ["p", "if"],
      ["after", "need"],
    ]);
    expect(s.allEnded && !s.failed).toBe(true);
  });

  it("grows a dynamic matrix into its instances; a need on it waits for all of them", () => {
    const { s } = scheduler(
      '  plan: { command: x }\n  w: { command: x, needs: [plan], matrix: { k: "${{ fromJSON(needs.plan.result.ks) }}" } }\n  sum: { command: x, needs: [w] }\n',
      { plan: { ks: '["a","b"]' } },
    );
    expect(s.plan).toEqual(["plan", "w[k=…]", "sum"]);
    expect(names(s.next())).toEqual(["plan"]);
    finish(s, "plan");
    expect(names(s.next())).toEqual(["w[k=a]", "w[k=b]"]);
    expect(s.plan).toEqual(["plan", "sum", "w[k=a]", "w[k=b]"]);
    finish(s, "w[k=a]");
    expect(s.next()).toEqual([]);
    finish(s, "w[k=b]");
    expect(names(s.next())).toEqual(["sum"]);
  });

  it("ends an empty matrix succeeded and a bad one failed, under the bare name", () => {
    const { s } = scheduler(
      '  plan: { command: x }\n  e: { command: x, needs: [plan], matrix: { k: "${{ fromJSON(needs.plan.result.none) }}" } }\n  after: { command: x, needs: [e] }\n  bad: { command: x, needs: [plan], matrix: "${{ fromJSON(needs.plan.result.none) }}" }\n',
      { plan: { none: "[]" } },
      "keep-going",
    );
    s.next();
    finish(s, "plan");
    expect(names(s.next())).toEqual(["after"]);
    expect(s.endStates()).toMatchObject({ e: "succeeded", bad: "failed" });
    expect(s.failed).toBe(true);
  });
});
