// The scheduler's pure decisions, driven directly on graphs loaded from YAML (no processes).
import { describe, expect, it } from "vitest";
import { loadText } from "../../src/load/index.js";
import { type Policy, Scheduler } from "../../src/run/scheduler.js";

function scheduler(yaml: string, opts: { concurrency?: number; policy?: Policy } = {}) {
  const { graph, diagnostics } = loadText(`version: 1\njobs:\n${yaml}`, "/tmp/s.yaml");
  if (!graph) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  const s = new Scheduler(graph, null, opts.concurrency ?? 10, opts.policy ?? "finish");
  const skips = s.begin();
  return { s, skips };
}
const names = (jobs: { name: string }[]) => jobs.map((j) => j.name);
/** Starts and ends a job in one step, as a job that exits at once would. */
const run = (s: Scheduler, name: string, state: "succeeded" | "failed" = "succeeded") => {
  s.started(name, true);
  return s.ended(name, state);
};

describe("scheduler", () => {
  it("never hands out more slots than the concurrency; daemons take none", () => {
    const { s } = scheduler(
      "  d: { command: x, daemon: true }\n  a: { command: x }\n  b: { command: x }\n  c: { command: x }\n",
      { concurrency: 2 },
    );
    expect(names(s.next())).toEqual(["d", "a", "b"]);
    expect(s.next()).toEqual([]);
    run(s, "a");
    expect(names(s.next())).toEqual(["c"]);
  });

  it("waits on a matrix need for every instance (one barrier) and names the instance that failed", () => {
    const { s } = scheduler(
      "  m: { command: x, matrix: { i: [1, 2, 3] } }\n  after: { command: x, needs: [m] }\n  handler: { command: x, needs: { m: failure } }\n",
      { policy: "keep-going" },
    );
    expect(names(s.next())).toEqual(["m[i=1]", "m[i=2]", "m[i=3]"]);
    run(s, "m[i=1]");
    // success can no longer hold: skipped at once; failure waits until every instance has ended.
    expect(run(s, "m[i=2]", "failed")).toEqual([
      { job: "after", reason: "needs m: success, but m[i=2] failed" },
    ]);
    expect(s.next()).toEqual([]);
    run(s, "m[i=3]");
    expect(names(s.next())).toEqual(["handler"]);
  });

  it("under finish, starts only handlers and their chains after a failure; the run has failed", () => {
    const { s } = scheduler(
      "  bad: { command: x }\n  slow: { command: x }\n  later: { command: x, needs: [slow] }\n" +
        "  cleanup: { command: x, needs: { bad: always } }\n  notify: { command: x, needs: [cleanup] }\n",
    );
    expect(names(s.next())).toEqual(["bad", "slow"]);
    run(s, "bad", "failed");
    expect(names(s.next())).toEqual(["cleanup"]);
    expect(run(s, "slow")).toEqual([{ job: "later", reason: "not started: bad failed" }]);
    run(s, "cleanup");
    expect(names(s.next())).toEqual(["notify"]);
    run(s, "notify");
    expect(s.workDone).toBe(true);
    expect(s.failed).toBe(true);
  });

  it("does not fail the run for a handler skipped because its need succeeded", () => {
    const { s } = scheduler(
      "  build: { command: x }\n  on-fail: { command: x, needs: { build: failure } }\n",
    );
    s.next();
    expect(run(s, "build")).toEqual([
      { job: "on-fail", reason: "needs build: failure, but build succeeded" },
    ]);
    expect(s.failed).toBe(false);
  });

  it("on an interrupt skips everything that has not started, handlers included", () => {
    const { s } = scheduler(
      "  a: { command: x }\n  b: { command: x, needs: [a] }\n  h: { command: x, needs: { a: always } }\n",
    );
    s.next();
    expect(s.interrupt("interrupted by SIGINT")).toEqual([
      { job: "b", reason: "interrupted by SIGINT" },
      { job: "h", reason: "interrupted by SIGINT" },
    ]);
    expect(s.next()).toEqual([]);
  });

  it("is never done for a file of daemons only", () => {
    const { s } = scheduler("  d: { command: x, daemon: true }\n");
    s.next();
    s.started("d", true);
    expect(s.workDone).toBe(false);
  });
});
