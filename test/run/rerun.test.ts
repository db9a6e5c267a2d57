// `--rerun-failed <run.json>` (SPEC §16) through the real CLI: only what did not succeed runs again,
// with what needs it and the daemons it needs; the rest ends `reused` without starting.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, endStates, tempDir, withEvents } from "../rig.js";

const file = `version: 1
jobs:
  db:
    command: [node, -e, 'console.log("up"); setInterval(() => {}, 1000)']
    daemon: true
    ready: { log: up }
  a:
    command: [echo, a]
  b:
    command: [sh, b.sh]
    needs: [a, db]
  c:
    command: [echo, c]
    needs: [a]
  d:
    command: [echo, d]
    needs: [b]
`;

/** Run 1: b fails, d is skipped; then b's script is fixed (not its definition). */
async function failedRun() {
  const dir = tempDir({ "f.yaml": file, "b.sh": "exit 1\n" });
  const first = await cli(["run", "f.yaml", "-o", "json", "--log-dir", "L"], { cwd: dir });
  expect(first.code).toBe(1);
  writeFileSync(join(dir, "b.sh"), "echo fixed\n");
  return dir;
}

const rerun = async (dir: string, f = "f.yaml") =>
  withEvents(await cli(["run", f, "-o", "json", "--rerun-failed", "L/run.json"], { cwd: dir }), dir);

describe("--rerun-failed", () => {
  it("starts only the failed job, its dependents and the daemon they need; the rest is reused", async () => {
    const dir = await failedRun();
    const firstId = JSON.parse(readFileSync(join(dir, "L/run.json"), "utf8")).events[0].runId;
    const r = await rerun(dir);
    expect(r.code).toBe(0);
    expect(
      r
        .of("job:start")
        .map((e) => e.job)
        .sort(),
    ).toEqual(["b", "d", "db"]);
    expect(r.of("job:reused").map((e) => [e.job, e.fromRun])).toEqual([
      ["a", firstId],
      ["c", firstId],
    ]);
    expect(endStates(r)).toEqual({ db: "stopped", a: "reused", b: "succeeded", c: "reused", d: "succeeded" });
    expect(r.seqOf("job:reused", "a")).toBeLessThan(r.seqOf("job:start", "b"));
    const start = r.of("run:start")[0]!;
    expect(Object.keys(start.definitions as object)).toEqual(["db", "a", "b", "c", "d"]);
  });

  it("builds a run-time matrix again, reusing the instances that succeeded; its fan-in reads all results", async () => {
    const dir = tempDir({
      "m.yaml": `version: 1
jobs:
  plan: { command: [sh, -c, "echo 'shards=[1,2,3]' >> $PROCFLOW_RESULT"] }
  shard:
    matrix: { n: "\${{ fromJSON(needs.plan.result.shards) }}" }
    command: [sh, -c, 'test "$PROCFLOW_MATRIX_N" != "$(cat bad)" && echo "v=$PROCFLOW_MATRIX_N" >> "$PROCFLOW_RESULT"']
    needs: [plan]
  fan: { command: [echo, "\${{ join(needs.shard.results.*.v, ',') }}"], needs: [shard] }
`,
      bad: "2",
    });
    const first = await cli(["run", "m.yaml", "--log-dir", "L", "--keep-going"], { cwd: dir });
    expect(first.code).toBe(1);
    writeFileSync(join(dir, "bad"), "none");
    const r = await rerun(dir, "m.yaml");
    expect(r.code).toBe(0);
    expect(r.of("job:reused").map((e) => e.job)).toEqual(["plan", "shard[n=1]", "shard[n=3]"]);
    expect(r.of("job:start").map((e) => e.job)).toEqual(["shard[n=2]", "fan"]);
    expect(r.lines("fan")).toEqual(["1,2,3"]);
    // All of it succeeded now: a rerun of this run reuses every instance and the fan-in.
    const again = withEvents(
      await cli(["run", "m.yaml", "-o", "json", "--log-dir", "L2"], { cwd: dir }),
      dir,
    );
    expect(again.code).toBe(0);
    const all = withEvents(
      await cli(["run", "m.yaml", "-o", "json", "--rerun-failed", "L2/run.json"], { cwd: dir }),
      dir,
    );
    expect(all.of("job:start")).toEqual([]);
    expect(Object.values(endStates(all)).every((s) => s === "reused")).toBe(true);
  });

  it("is exit 2 when a job it would reuse changed since, naming it", async () => {
    const dir = await failedRun();
    writeFileSync(
      join(dir, "f.yaml"),
      file.replace("[echo, a]", "[echo, A]").replace("[sh, b.sh]", "[sh, ./b.sh]"),
    );
    const r = await rerun(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^procflow run: --rerun-failed: a changed since run [0-9a-f-]{36}: run the file whole\n$/,
    );
    expect(r.events).toEqual([]);
  });

  it("accepts a run.json cut short by a killed run; refuses another file's run", async () => {
    const dir = await failedRun();
    const text = readFileSync(join(dir, "L/run.json"), "utf8");
    // Cut inside the first event after b's exit, as a SIGKILL mid-write would.
    const cut = text.indexOf('"type":"job:exit","job":"b"');
    writeFileSync(join(dir, "L/run.json"), text.slice(0, text.indexOf("\n", cut) + 20));
    const r = await rerun(dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.of("job:reused").map((e) => e.job)).toContain("a");
    expect(r.of("job:start").map((e) => e.job)).toContain("b");

    writeFileSync(join(dir, "g.yaml"), file);
    const other = await rerun(dir, "g.yaml");
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("that run was of");
  });

  it("is worded by the human modes and JUnit: reused, from which run", async () => {
    const dir = await failedRun();
    const firstId = JSON.parse(readFileSync(join(dir, "L/run.json"), "utf8")).events[0].runId as string;
    for (const mode of ["lines", "grouped"]) {
      const r = await cli(["run", "f.yaml", "-o", mode, "--rerun-failed", "L/run.json", "--junit", "j.xml"], {
        cwd: dir,
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^(── )?a +♻ reused from run ${firstId.slice(0, 8)}$`, "m"));
      expect(r.stdout).toMatch(/^♻ a +reused +- /m);
      expect(r.stdout).toMatch(/5 jobs: .*2 reused.*run succeeded \(exit 0\)/);
      expect(readFileSync(join(dir, "j.xml"), "utf8")).toMatch(/<testcase name="a"[^>]*><\/testcase>/);
    }
  });

  it("shows a reused job as reused in ctl status; ctl logs says it has no output", async () => {
    const dir = await failedRun();
    const state = join(tempDir(), "state");
    mkdirSync(state, { mode: 0o700 });
    const env = { PROCFLOW_STATE_DIR: state };
    let seen = "";
    let workDone!: () => void;
    const done = new Promise<void>((resolve) => {
      workDone = resolve;
    });
    const run = cli(["run", "f.yaml", "-o", "json", "--keep-alive", "--rerun-failed", "L/run.json"], {
      cwd: dir,
      env,
      onStdout: (text) => {
        seen += text;
        if (seen.includes('"type":"job:exit","job":"d"')) workDone();
      },
    });
    await done;
    const status = JSON.parse((await cli(["ctl", "status", "--format", "json"], { cwd: dir, env })).stdout);
    expect(status.jobs.map((j: { job: string; state: string }) => [j.job, j.state])).toEqual([
      ["db", "ready"],
      ["a", "reused"],
      ["b", "succeeded"],
      ["c", "reused"],
      ["d", "succeeded"],
    ]);
    const logs = await cli(["ctl", "logs", "a"], { cwd: dir, env });
    expect([logs.code, logs.stdout + logs.stderr]).toEqual([0, expect.stringContaining("a was reused")]);
    expect((await cli(["ctl", "end"], { cwd: dir, env })).code).toBe(0);
    expect((await run).code).toBe(0);
  });
});
