// Watch mode (SPEC §12): `procflow run --watch` restarts what changed and what depends on it, with real
// files and real processes.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { alive, type Event, FIXTURES, type LiveRun, startLive } from "../rig.js";

const TREE = `${FIXTURES}bin/tree.mjs`;
const OLD_ALIVE = `${FIXTURES}bin/old-alive.mjs`;

const write = (run: LiveRun, path: string, content = String(Date.now())) => {
  mkdirSync(dirname(join(run.dir, path)), { recursive: true });
  writeFileSync(join(run.dir, path), content);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const startOf = (job: string, attempt: number) => (e: Event) =>
  e.type === "job:start" && e.job === job && e.attempt === attempt;

let runs: LiveRun[] = [];
afterEach(async () => {
  // Every run ends with Ctrl-C: a watch run never ends by itself.
  for (const run of runs) run.child.kill("SIGINT");
  for (const run of runs) expect((await run.done).code).toBe(130);
  runs = [];
});
const live = (yaml: string, files: Record<string, string> = {}, args: string[] = []) => {
  const run = startLive(yaml, ["--watch", "--no-control", ...args], { "src/a.js": "1", ...files });
  runs.push(run);
  return run;
};

/** A daemon whose process tree (itself, a grandchild in its group, a setsid escapee) is listed in pids.N; each attempt first says which pids of the one before are alive. */
const TREE_DAEMON = (
  extra = "",
) => `    command: node ${OLD_ALIVE} pids.$((PROCFLOW_ATTEMPT - 1)); PIDS_FILE=pids.$PROCFLOW_ATTEMPT exec node ${TREE} --children 1 --escape ${extra} --print listening
    shell: true
    daemon: true
    ready: { log: listening }`;

describe("procflow run --watch", () => {
  it("a change restarts the daemon once its whole tree is gone, then its dependent after it is ready again", async () => {
    const run = live(`version: 1
jobs:
  api:
${TREE_DAEMON()}
    watch: [src/**/*.js]
  client:
    command: [echo, hello]
    needs: [api]
`);
    await run.until((e) => e.type === "job:exit" && e.job === "client");
    const first = run.of("job:start", "api")[0]!;
    const tree = readFileSync(join(run.dir, "pids.1"), "utf8").split("\n").filter(Boolean).map(Number);
    expect(tree).toHaveLength(3);
    write(run, "src/a.js");
    const second = await run.until(startOf("api", 2));
    const again = await run.until(startOf("client", 2));
    expect(run.of("job:change")).toEqual([
      expect.objectContaining({ job: "api", paths: ["src/a.js"], count: 1 }),
    ]);
    expect(run.of("job:stop", "api")).toEqual([expect.objectContaining({ reason: "watch" })]);
    expect(run.of("job:restart", "api")).toEqual([expect.objectContaining({ attempt: 2, reason: "watch" })]);
    expect(second.pid).not.toBe(first.pid);
    // Attempt 2 looked at attempt 1's tree when it started: nothing of it was left.
    await run.until((e) => e.type === "job:output" && e.job === "api" && e.seq > second.seq);
    expect(run.of("job:output", "api").map((e) => e.line)).toContain("old alive: none");
    expect(tree.filter(alive)).toEqual([]);
    const ready2 = run.events.find((e) => e.type === "job:ready" && e.job === "api" && e.seq > second.seq)!;
    expect(ready2).toBeDefined();
    expect(again.seq).toBeGreaterThan(ready2.seq);
    expect(run.of("job:change")[0]!.seq).toBeLessThan(run.of("job:stop", "api")[0]!.seq);
  });
});
