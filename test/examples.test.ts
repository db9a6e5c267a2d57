// Every example in jobs/ validates, is named in the README, and does what it says when run.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, endStates, withEvents } from "./rig.js";

const JOBS = new URL("../jobs/", import.meta.url).pathname;
const examples = readdirSync(JOBS).filter((f) => f.endsWith(".yaml"));
const run = async (file: string) => withEvents(await cli(["run", join(JOBS, file), "-o", "json"]), JOBS);

describe("examples in jobs/", () => {
  it("validate, strictly, and are all named in the README", async () => {
    const r = await cli(["validate", "--strict", ...examples.map((f) => join(JOBS, f))]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const f of examples) expect(readme).toContain(`jobs/${f}`);
  });

  it("demo.yaml: the service is ready before the workers, the report joins them, the service is stopped", async () => {
    const r = await run("demo.yaml");
    expect(r.code).toBe(0);
    expect(endStates(r)).toEqual({
      service: "stopped",
      low: "succeeded",
      mid: "succeeded",
      high: "succeeded",
      report: "succeeded",
    });
    for (const w of ["low", "mid", "high"])
      expect(r.seqOf("job:start", w)).toBeGreaterThan(r.seqOf("job:ready", "service"));
    expect(r.lines("report")).toEqual(["3 workers reported; total sum of squares = 9455"]);
    expect(r.lines("service")).toContain("shutting down after 30 requests");
  });

  it("processes.yaml: parent pid is procflow, args arrive, run() is called, memory is isolated", async () => {
    const r = await run("processes.yaml");
    expect(r.code).toBe(0);
    const result = (job: string) => r.of("job:exit", job)[0]!.result;
    expect((result("pids") as { ppid: number }).ppid).toBe(r.of("run:start")[0]!.pid);
    expect(result("args")).toBe("procflow greeted 2 times");
    expect(result("subclass")).toMatchObject({ arg: { note: "I am an argument" } });
    expect([result("increment"), result("isolated")]).toEqual([1, 0]);
    const lines = await cli(["run", join(JOBS, "processes.yaml"), "-o", "lines"]);
    expect(lines.stdout).toMatch(
      /^args +▶ started, pid \d+: target \.\/tasks\/processes\.mjs#greet\("procflow",2\)$/m,
    );
  });

  it("watch.yaml: without --watch an ordinary run (the client once, then the server is stopped)", async () => {
    const r = await run("watch.yaml");
    expect(r.code).toBe(0);
    expect(endStates(r)).toEqual({ server: "stopped", client: "succeeded" });
    expect(r.lines("client")).toEqual(["squares from the server: 1, 4, 9"]);
    expect(r.of("job:change")).toEqual([]);
  });

  it("fanout.yaml: ten workers with their own pids, then the join", async () => {
    const r = await run("fanout.yaml");
    expect(r.code).toBe(0);
    const workers = r.of("job:exit").filter((e) => String(e.job).startsWith("worker["));
    expect(workers).toHaveLength(10);
    expect(new Set(workers.map((e) => e.pid)).size).toBe(10);
    expect(r.seqOf("job:start", "join")).toBeGreaterThan(Math.max(...workers.map((e) => e.seq)));
    expect(r.lines("join")).toEqual(["all ten workers are done"]);
  });

  it("daemon.yaml: the daemon prints while the worker works and is stopped when it is done", async () => {
    const r = await run("daemon.yaml");
    expect(r.code).toBe(0);
    expect(endStates(r)).toEqual({ daemon: "stopped", worker: "succeeded" });
    expect(r.lines("daemon").length).toBeGreaterThanOrEqual(3);
    expect(r.seqOf("job:exit", "worker")).toBeLessThan(r.seqOf("job:stop", "daemon"));
  });

  it("results.yaml: plan's shards become work's instances, sum joins them, publish runs by its if", async () => {
    const r = await run("results.yaml");
    expect(r.code).toBe(0);
    expect(r.of("job:matrix")[0]!.instances).toEqual(["work[shard=a]", "work[shard=b]", "work[shard=c]"]);
    expect(r.lines("sum")).toEqual(["items per shard: 1, 2, 3"]);
    expect(r.lines("publish")).toEqual(["publishing with coverage 87%"]);
    expect(r.of("job:skip", "celebrate")[0]!.reason).toBe("if: needs.test.result.coverage == 100 is false");
    expect((r.of("job:exit", "plan")[0]!.result as { notes: string }).notes).toBe(
      "planned by plan.mjs\nthree shards",
    );
  });

  it("heartbeat.yaml: the worker crashes in round 3, the report runs, the monitor is stopped; exit 1", async () => {
    const r = await run("heartbeat.yaml");
    expect(r.code).toBe(1);
    expect(endStates(r)).toEqual({ monitor: "stopped", worker: "failed", report: "succeeded" });
    expect(r.lines("worker", "stderr")).toEqual(["P2: RuntimeError in round 3"]);
    expect(r.lines("report")).toEqual(["the server failed! (worker ended with an error)"]);
    expect(r.lines("monitor")).toContain("P1: server alive...");
  });
});
