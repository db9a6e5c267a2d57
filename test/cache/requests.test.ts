// Starts asked for (ctl, watch) do not read the cache (SPEC §13): they run the job, and still store.
import { chmodSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, type Event, runJobs, tempDir } from "../rig.js";

const yaml = `version: 1
jobs:
  t:
    command: echo ran
    inputs: [in.txt]
  after:
    command: echo after
    inputs: [in.txt]
    needs: [t]
`;

describe("cache and requests", () => {
  it("ctl restart of a cached job starts it, and its dependents too; ctl status shows cached before", async () => {
    const first = await runJobs(yaml, [], { files: { "in.txt": "1" } });
    const dir = first.dir;
    const state = join(tempDir(), "state");
    mkdirSync(state, { mode: 0o700 });
    chmodSync(state, 0o700);
    const env = { PROCFLOW_STATE_DIR: state };
    const events: Event[] = [];
    let buffer = "";
    const done = cli(["run", "jobs.yaml", "-o", "json", "--keep-alive"], {
      cwd: dir,
      env,
      onStdout: (text) => {
        const lines = (buffer + text).split("\n");
        buffer = lines.pop()!;
        for (const l of lines) if (l.trim()) events.push(JSON.parse(l) as Event);
      },
    });
    const until = async (match: (e: Event) => boolean) => {
      for (let i = 0; i < 400 && !events.some(match); i++) await new Promise((r) => setTimeout(r, 25));
      expect(events.some(match)).toBe(true);
    };
    await until((e) => e.type === "job:cached" && e.job === "after");
    for (let i = 0; i < 200; i++) {
      if (JSON.parse((await cli(["ps", "--format", "json"], { env })).stdout).length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const status = JSON.parse((await cli(["ctl", "status", "--format", "json"], { cwd: dir, env })).stdout);
    expect(status.jobs[0]).toMatchObject({ job: "t", state: "cached" });
    expect((await cli(["ctl", "restart", "--with-dependents", "t"], { cwd: dir, env })).code).toBe(0);
    // The dependent restarted with it is started too, not taken from the cache again.
    await until((e) => e.type === "job:exit" && e.job === "after");
    expect(events.filter((e) => e.type === "job:start").map((e) => e.job)).toEqual(["t", "after"]);
    await cli(["ctl", "end"], { cwd: dir, env });
    expect((await done).code).toBe(0);
    // They stored again: the entries now come from this run.
    const entries = join(dir, ".procflow/cache/entries");
    const runIds = readdirSync(entries).map((e) => JSON.parse(readFileSync(join(entries, e), "utf8")).runId);
    expect(runIds).toEqual([events[0]!.runId, events[0]!.runId]);
  });
});

describe("cache and results", () => {
  it("a cached job's result reaches the jobs that read it, as a run's would", async () => {
    const yaml = `version: 1
jobs:
  plan:
    command: sh -c 'echo "count=3" >> "$PROCFLOW_RESULT"'
    inputs: [in.txt]
  use:
    command: [echo, "count \${{ needs.plan.result.count }} \${{ needs.plan.state }}"]
    needs: [plan]
  silent:
    command: "true"
    inputs: [in.txt]
`;
    const first = await runJobs(yaml, [], { files: { "in.txt": "1" } });
    expect(first.lines("use")).toEqual(["count 3 succeeded"]);
    const second = await runJobs(yaml, [], { cwd: first.dir });
    expect(second.of("job:cached", "plan")[0]).toMatchObject({ result: { count: "3" } });
    // needs.<job>.state is the end state as run:end has it.
    expect(second.lines("use")).toEqual(["count 3 cached"]);
    // A job that wrote nothing: null, as its job:exit said.
    expect(first.of("job:exit", "silent")[0]!.result).toBeNull();
    expect(second.of("job:cached", "silent")[0]!.result).toBeNull();
  });
});
