// A reused job (--rerun-failed) as the scheduler sees it: waiting → reused without starting; it
// meets success, always, started and ready, never failure (SPEC §19).
import { describe, expect, it } from "vitest";
import { loadText } from "../../src/load/index.js";
import { Scheduler } from "../../src/run/scheduler.js";

describe("reused jobs", () => {
  it("meet success, always, started and ready, never failure; reusing never starts them", () => {
    const { graph } = loadText(
      `version: 1
jobs:
  r: { command: x }
  on-success: { command: x, needs: { r: success } }
  on-always: { command: x, needs: { r: always } }
  on-started: { command: x, needs: { r: started } }
  on-ready: { command: x, needs: { r: ready } }
  on-failure: { command: x, needs: { r: failure } }
`,
      "/tmp/reuse.yaml",
    );
    const s = new Scheduler(graph!, null, 10, "finish");
    const skips = s.reuse("r");
    expect(skips.map((k) => [k.job, k.cause])).toEqual([["on-failure", "need"]]);
    s.begin();
    expect(s.next().map((j) => j.name)).toEqual(["on-success", "on-always", "on-started", "on-ready"]);
    expect(s.endStates()).toEqual({ r: "reused", "on-failure": "skipped" });
    expect(s.failed).toBe(false);
  });
});
