// The cache's commands and checks (SPEC §13): validation of inputs/outputs at their lines, --dry-run's
// run vs cached, graph json, and `procflow cache info | clean | prune` (least recently used first, locked).
import { readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, runJobs, tempDir } from "../rig.js";

const one = (input = "in.txt") => `version: 1
jobs:
  t:
    shell: true
    command: cat ${input} > out.txt && echo done
    inputs: [${input}]
    outputs: [out.txt]
`;

describe("cache commands", () => {
  it("validate: inputs on a daemon, outputs without inputs, a pattern out of the folder; a pattern matching nothing warns at run time", async () => {
    const dir = tempDir({
      "sub/jobs.yaml": `version: 1
jobs:
  d:
    command: sleep 1
    daemon: true
    inputs: [a]
  o:
    command: "true"
    outputs: [dist]
  far:
    command: "true"
    inputs: [../x/**, ok/*.ts]
`,
    });
    const r = await cli(["validate", "--format", "json", "sub/jobs.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    const found = (JSON.parse(r.stdout) as { line: number; code: string }[]).map((d) => [d.line, d.code]);
    expect(found).toEqual([
      [6, "cache-daemon"],
      [9, "cache-outputs-without-inputs"],
      [12, "cache-path-outside"],
    ]);
    const run = await runJobs(one("missing/*.txt"), [], { files: {} });
    expect(run.code).toBe(1); // cat fails: nothing there
    expect(run.stderr).toContain("warning: t: inputs pattern missing/*.txt matches no file");
  });

  it("--dry-run says which jobs would run and which are cached; graph json carries inputs and outputs", async () => {
    const dir = tempDir({ "in.txt": "1" });
    writeFileSync(join(dir, "jobs.yaml"), one());
    const before = await cli(["run", "jobs.yaml", "--dry-run"], { cwd: dir });
    expect(before.stdout).toMatch(/runs \(fingerprint [0-9a-f]{12} not cached\)/);
    const print = /fingerprint ([0-9a-f]{12})/.exec(before.stdout)![1];
    await runJobs(one(), [], { cwd: dir });
    const after = await cli(["run", "jobs.yaml", "--dry-run", "-o", "json"], { cwd: dir });
    expect(JSON.parse(after.stdout).jobs[0]).toMatchObject({ cache: "cached", fingerprint: print });
    const graph = JSON.parse((await cli(["graph", "--format", "json", "jobs.yaml"], { cwd: dir })).stdout);
    expect(graph.jobs[0]).toMatchObject({ inputs: ["in.txt"], outputs: ["out.txt"] });
  });

  it("info, prune (least recently used first), clean; prune and clean wait for no one: a held lock refuses", async () => {
    const dir = tempDir({ "in.txt": "a" });
    const runs: string[] = [];
    for (const content of ["a", "bb", "ccc"]) {
      writeFileSync(join(dir, "in.txt"), content);
      runs.push((await runJobs(one(), [], { cwd: dir })).of("run:start")[0]!.runId as string);
    }
    const entries = join(dir, ".procflow/cache/entries");
    const byRun = () =>
      Object.fromEntries(
        readdirSync(entries).map((n) => [JSON.parse(readFileSync(join(entries, n), "utf8")).runId, n]),
      );
    // Last used: the first run's entry most recently, the second's longest ago.
    const now = Date.now() / 1000;
    utimesSync(join(entries, byRun()[runs[0]!]), now, now);
    utimesSync(join(entries, byRun()[runs[1]!]), now - 7200, now - 7200);
    utimesSync(join(entries, byRun()[runs[2]!]), now - 3600, now - 3600);
    const info = JSON.parse(
      (await cli(["cache", "info", "jobs.yaml", "--format", "json"], { cwd: dir })).stdout,
    );
    // Three outputs, and one log ("done") that the three entries share.
    expect(info).toMatchObject({ entries: 3, blobs: 4 });
    const pruned = await cli(["cache", "prune", "--max-size", String(info.bytes - 1), "jobs.yaml"], {
      cwd: dir,
    });
    expect(pruned.code).toBe(0);
    expect(Object.keys(byRun()).sort()).toEqual([runs[0], runs[2]].sort());
    expect((await cli(["cache", "prune", "--max-size", "lots", "jobs.yaml"], { cwd: dir })).code).toBe(2);

    writeFileSync(join(dir, ".procflow/cache/lock"), String(process.pid));
    const refused = await cli(["cache", "clean", "jobs.yaml"], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`locked by process ${process.pid}`);
    writeFileSync(join(dir, ".procflow/cache/lock"), "999999999"); // a process that is gone
    const clean = await cli(["cache", "clean", "--cache-dir", ".procflow/cache"], { cwd: dir });
    expect(clean.code).toBe(0);
    expect(JSON.parse((await cli(["cache", "info", "--format", "json"], { cwd: dir })).stdout)).toMatchObject(
      {
        entries: 0,
      },
    );
  });

  it("PROCFLOW_CACHE_DIR and --cache-dir put the cache elsewhere", async () => {
    const dir = tempDir({ "in.txt": "1" });
    const elsewhere = tempDir();
    await runJobs(one(), [], { cwd: dir, env: { PROCFLOW_CACHE_DIR: elsewhere } });
    expect(readdirSync(join(elsewhere, "entries"))).toHaveLength(1);
    const r = await runJobs(one(), ["--cache-dir", elsewhere], { cwd: dir });
    expect(r.of("job:cached")).toHaveLength(1);
  });
});
