// The scheduler's pure decisions, driven directly on graphs loaded from YAML (no processes).
import { describe, expect, it } from "vitest";
import { loadText } from "../../src/load/index.js";
import { skipReason } from "../../src/report/words.js";
import { type Policy, Scheduler, type Skip } from "../../src/run/scheduler.js";

function scheduler(yaml: string, opts: { concurrency?: number; policy?: Policy; keepAlive?: boolean } = {}) {
  const { graph, diagnostics } = loadText(`version: 1\njobs:\n${yaml}`, "/tmp/s.yaml");
  if (!graph) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  const s = new Scheduler(
    graph,
    null,
    opts.concurrency ?? 10,
    opts.policy ?? "finish",
    opts.keepAlive ?? false,
  );
  const skips = s.begin();
  return { s, skips };
}
const names = (jobs: { name: string }[]) => jobs.map((j) => j.name);
/** Skips as `-o json` words them. */
const worded = (skips: Skip[]) =>
  skips.map((s) => ({ job: s.job, reason: skipReason({ type: "job:skip", time: 0, ...s }) }));
/** Starts and ends a job in one step, as a job that exits at once would. */
const run = (s: Scheduler, name: string, state: "succeeded" | "failed" = "succeeded") => {
  s.started(name, true);
  return worded(s.ended(name, state));
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
    expect(worded(s.interrupt({ cause: "interrupt", by: "SIGINT" }))).toEqual([
      { job: "b", reason: "not started: interrupted by SIGINT" },
      { job: "h", reason: "not started: interrupted by SIGINT" },
    ]);
    expect(s.next()).toEqual([]);
  });

  it("is never done for a file of daemons only", () => {
    const { s } = scheduler("  d: { command: x, daemon: true }\n");
    s.next();
    s.started("d", true);
    expect(s.workDone).toBe(false);
  });

  it("fails the run when a job ends without ever becoming ready and a dependent needed it ready", () => {
    const { s } = scheduler(
      "  svc: { command: x, ready: { delay: 1h } }\n  client: { command: x, needs: { svc: ready } }\n",
    );
    expect(names(s.next())).toEqual(["svc"]);
    s.started("svc", false);
    expect(worded(s.ended("svc", "succeeded"))).toEqual([
      { job: "client", reason: "needs svc: ready, but svc succeeded before it was ready" },
    ]);
    expect(s.failed).toBe(true);
  });

  it("meets no condition between two attempts; a restarted job's new attempt releases dependents", () => {
    const { s } = scheduler(
      "  d: { command: x, daemon: true, ready: { delay: 1h } }\n  c: { command: x, needs: [d] }\n",
    );
    expect(names(s.next())).toEqual(["d"]);
    s.started("d", false);
    s.restarting("d");
    s.started("d", false);
    expect(s.next()).toEqual([]);
    s.ready("d");
    expect(names(s.next())).toEqual(["c"]);
  });

  it("reruns an ended job at once, over the concurrency limit, and says why one cannot start", () => {
    const { s } = scheduler("  a: { command: x }\n  b: { command: x }\n  c: { command: x, needs: [a] }\n", {
      concurrency: 1,
    });
    expect(names(s.next())).toEqual(["a"]);
    s.started("a", true);
    expect(s.unmet("c")).toEqual({ need: "a", condition: "success", state: "running" });
    s.ended("a", "failed");
    expect(s.unmet("c")).toEqual({ need: "a", condition: "success", state: "failed" });
    expect(s.unmet("a")).toBeNull();
    expect(s.rerun("a").name).toBe("a");
    expect(s.phase("a")).toBe("running");
    expect(s.endStates().a).toBeUndefined();
  });

  it("in a keep-alive run, leaves a job waiting on a need that failed, and a rearmed dependent waits again", () => {
    const { s } = scheduler("  a: { command: x }\n  b: { command: x, needs: [a] }\n", { keepAlive: true });
    expect(names(s.next())).toEqual(["a"]);
    expect(run(s, "a", "failed")).toEqual([]);
    expect(s.phase("b")).toBe("waiting");
    expect(s.workDone).toBe(false);
    s.rerun("a");
    run(s, "a");
    expect(names(s.next())).toEqual(["b"]);
    run(s, "b");
    // b restarted with a: it waits until a succeeds again.
    s.rerun("a");
    expect(s.rearm("b")).toEqual([]);
    expect(s.next()).toEqual([]);
    run(s, "a");
    expect(names(s.next())).toEqual(["b"]);
  });

  it("a manual stop and ctl end never fail the run", () => {
    const { s } = scheduler("  a: { command: x }\n  b: { command: x, needs: [a] }\n  c: { command: x }\n", {
      concurrency: 1,
    });
    expect(names(s.next())).toEqual(["a"]);
    s.started("a", true);
    expect(worded(s.ended("a", "stopped", true))).toEqual([
      { job: "b", reason: "needs a: success, but a was stopped on request" },
    ]);
    expect(worded(s.end(true))).toEqual([{ job: "c", reason: "not started: the run was ended on request" }]);
    expect(s.failed).toBe(false);
    expect(s.allEnded).toBe(true);
  });

  it("a failed job with allow_failure meets both success and failure, and does not fail the run", () => {
    const { s } = scheduler(
      "  opt: { command: x, allow_failure: true }\n  next: { command: x, needs: [opt] }\n  handler: { command: x, needs: { opt: failure } }\n",
    );
    expect(names(s.next())).toEqual(["opt"]);
    expect(run(s, "opt", "failed")).toEqual([]);
    expect(names(s.next())).toEqual(["next", "handler"]);
    expect(s.failed).toBe(false);
  });
});
