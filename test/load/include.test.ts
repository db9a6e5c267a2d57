// `include:` (SPEC §15) through the real CLI: a tree of files runs as one graph, each job in the folder
// and environment of its own file, and every mistake is reported in the file that holds it.
import { realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, endStates, tempDir, withEvents } from "../rig.js";

const echoEnv = (what: string) => `[sh, -c, 'echo "${what} $(pwd) $TOP $SHARED $OWN $PROCFLOW_FILE"']`;

/** ci.yaml includes db.yaml and services/api.yaml, which sets its own cwd (through defaults) and env. */
const tree = () =>
  tempDir({
    "ci.yaml": `version: 1
name: ci
env: { TOP: top, SHARED: from-top }
include: [db.yaml, services/api.yaml]
jobs:
  test:
    command: ${echoEnv("test")}
    needs: [db, api]
`,
    "db.yaml": `version: 1
jobs:
  db:
    command: ${echoEnv("db")}
`,
    "services/api.yaml": `version: 1
env: { SHARED: from-api }
defaults:
  cwd: app
  env: { OWN: api-default }
jobs:
  api:
    command: ${echoEnv("api")}
    needs: [db]
`,
    "services/app/.keep": "",
  });

const line = (r: { lines(job: string): string[] }, job: string) => r.lines(job)[0]!.split(" ");

describe("include", () => {
  it("validates and runs the tree: each job in its own file's folder and env, PROCFLOW_FILE its file", async () => {
    const dir = realpathSync(tree());
    const v = await cli(["validate", "ci.yaml"], { cwd: dir });
    expect(v.stderr).toBe("");
    expect(v.code).toBe(0);
    const r = withEvents(await cli(["run", "ci.yaml", "-o", "json"], { cwd: dir }), dir);
    expect(r.code).toBe(0);
    expect(endStates(r)).toEqual({ db: "succeeded", api: "succeeded", test: "succeeded" });
    // pwd, TOP, SHARED, OWN, PROCFLOW_FILE
    expect(line(r, "db").slice(1)).toEqual([dir, "top", "from-top", "", join(dir, "db.yaml")]);
    expect(line(r, "api").slice(1)).toEqual([
      join(dir, "services/app"),
      "top",
      "from-api",
      "api-default",
      join(dir, "services/api.yaml"),
    ]);
    expect(line(r, "test").slice(1)).toEqual([dir, "top", "from-top", "", join(dir, "ci.yaml")]);
    expect(r.seqOf("job:exit", "db")).toBeLessThan(r.seqOf("job:start", "api"));
  });

  it("reports a typo in an included file at that file's line and column", async () => {
    const dir = tree();
    writeFileSync(
      join(dir, "services/api.yaml"),
      "version: 1\njobs:\n  api:\n    command: [echo]\n    neds: [db]\n",
    );
    const r = await cli(["validate", "ci.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('services/api.yaml:5:5: error: jobs.api.neds: unknown field "neds"');
  });

  it("a job name declared in two files is an error at both places", async () => {
    const dir = tree();
    writeFileSync(
      join(dir, "db.yaml"),
      "version: 1\njobs:\n  db: { command: [echo] }\n  test: { command: [echo] }\n",
    );
    const r = await cli(["validate", "ci.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ci.yaml:6:3: error: jobs.test: also declared in db.yaml:4");
    expect(r.stderr).toContain("db.yaml:4:3: error: jobs.test: also declared in ci.yaml:6");
  });

  it("an include cycle and a missing include are errors at their includes", async () => {
    const dir = tempDir({
      "a.yaml": "version: 1\ninclude: b.yaml\njobs:\n  a: { command: [echo] }\n",
      "b.yaml": "version: 1\ninclude: [a.yaml, gone.yaml]\njobs:\n  b: { command: [echo], needs: [a] }\n",
    });
    const r = await cli(["validate", "a.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("b.yaml:2:11: error: include: cycle a.yaml → b.yaml → a.yaml");
    expect(r.stderr).toContain("b.yaml:2:19: error: include: cannot read gone.yaml: no such file");
  });

  it("loads a diamond once, needs across files, ignores an included file's name with a warning", async () => {
    const dir = tempDir({
      "top.yaml":
        "version: 1\ninclude: [left.yaml, right.yaml]\njobs:\n  all: { command: [echo], needs: [l, r] }\n",
      "left.yaml": "version: 1\ninclude: [base.yaml]\njobs:\n  l: { command: [echo], needs: [base] }\n",
      "right.yaml": "version: 1\ninclude: [base.yaml]\njobs:\n  r: { command: [echo], needs: [base] }\n",
      "base.yaml": "version: 1\nname: base\nconcurrency: 1\njobs:\n  base: { command: [echo] }\n",
    });
    const r = withEvents(await cli(["run", "top.yaml", "-o", "json"], { cwd: dir }), dir);
    expect(r.code).toBe(0);
    expect(r.of("run:start")[0]!.jobs).toEqual(["base", "l", "r", "all"]);
    expect(r.stderr).toContain("base.yaml:2:1: warning: name: ignored in an included file");
    expect(r.stderr).toContain("base.yaml:3:1: warning: concurrency: ignored in an included file");
    const graph = await cli(["graph", "top.yaml"], { cwd: dir });
    expect(graph.stdout).toMatch(/j0 --> j1/);
    const plan = await cli(["run", "top.yaml", "--dry-run", "-o", "json"], { cwd: dir });
    expect(JSON.parse(plan.stdout).jobs.map((j: { job: string }) => j.job)).toEqual([
      "base",
      "l",
      "r",
      "all",
    ]);
  });

  it("a file reached through a symlink is the same file: loaded once, a cycle through one is a cycle", async () => {
    const dir = tempDir({
      "top.yaml": "version: 1\ninclude: [sub/a.yaml, link/a.yaml]\njobs:\n  t: { command: [echo] }\n",
      "sub/a.yaml": "version: 1\njobs:\n  a: { command: [echo] }\n",
      "x.yaml": "version: 1\ninclude: [xl.yaml]\njobs:\n  x: { command: [echo] }\n",
    });
    symlinkSync(join(dir, "sub"), join(dir, "link"));
    symlinkSync(join(dir, "x.yaml"), join(dir, "xl.yaml"));
    const once = await cli(["validate", "top.yaml"], { cwd: dir });
    expect([once.code, once.stderr]).toEqual([0, ""]);
    const cycle = await cli(["validate", "x.yaml"], { cwd: dir });
    expect(cycle.code).toBe(2);
    expect(cycle.stdout + cycle.stderr).toContain("include: cycle x.yaml → xl.yaml");
  });

  it("validate of a folder whose files include each other reports the cycle once", async () => {
    const dir = tempDir({
      "a.yaml": "version: 1\ninclude: b.yaml\njobs:\n  a: { command: [echo] }\n",
      "b.yaml": "version: 1\ninclude: a.yaml\njobs:\n  b: { command: [echo], timeout: soon }\n",
    });
    const r = await cli(["validate", "."], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.match(/error: include: cycle/g)).toHaveLength(1);
    expect(r.stderr).toContain("b.yaml:2:10: error: include: cycle a.yaml → b.yaml → a.yaml");
    // b.yaml is still checked, within a.yaml's tree.
    expect(r.stderr).toContain('b.yaml:4:34: error: jobs.b.timeout: "soon" is not a duration');
    const json = await cli(["validate", "--format", "json", "."], { cwd: dir });
    const codes = (JSON.parse(json.stdout) as { code: string }[]).map((d) => d.code);
    expect(codes.filter((c) => c === "include-cycle")).toHaveLength(1);
  });

  it("validate of a folder checks each tree once, from the files nobody includes", async () => {
    const dir = tree();
    writeFileSync(join(dir, "db.yaml"), "version: 1\njobs:\n  db: { command: [echo], needs: [api] }\n");
    const r = await cli(["validate", "."], { cwd: dir });
    // db.yaml alone would not know api; within ci.yaml's tree it does (and then the cycle shows).
    expect(r.stderr).not.toContain('no job named "api"');
    expect(r.stderr).toContain("cycle");
    expect(r.stdout).toContain("0 of 1 file valid");
  });
});
