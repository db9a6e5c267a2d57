// `procflow validate`, `schema`, `graph` and usage errors through the real CLI.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, FIXTURES, tempDir } from "../rig.js";

const good = `version: 1
jobs:
  server: { command: sleep 10, daemon: true }
  build: { command: echo build }
  test:
    command: [echo, test]
    needs: { build: success, server: ready }
  report:
    command: echo done
    needs: { test: always }
`;

describe("procflow validate", () => {
  it("accepts a valid file with exit 0", async () => {
    const dir = tempDir({ "good.yaml": good });
    const r = await cli(["validate", "good.yaml"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("1 file valid");
    expect(r.stderr).toBe("");
  });

  it("reports every problem of every file, with file:line:col and a code frame, exit 2", async () => {
    const r = await cli(["validate", "duration.yaml", "needs-unknown.yaml", "many-problems.yaml"], {
      cwd: join(FIXTURES, "invalid"),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'duration.yaml:5:14: error: jobs.slow.timeout: "5 minutes" is not a duration (use 5m)',
    );
    expect(r.stderr).toContain('needs-unknown.yaml:6:13: error: jobs.test.needs: no job named "biuld"');
    expect(r.stderr).toMatch(/> 5 \|\s+timeout: 5 minutes\n\s+\|\s+\^{9}\n/);
    expect(r.stderr.match(/many-problems.yaml:\d+:\d+: error/g)).toHaveLength(3);
    expect(r.stdout).toContain("0 of 3 files valid (5 errors, 0 warnings)");
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
  });

  it("checks every YAML file of a folder; run says a folder is not a job file", async () => {
    const dir = tempDir({
      "jobs/a.yaml": good,
      "jobs/b.yml": "version: 1\njobs:\n  x: { command: echo, timeout: 5 minutes }\n",
      "jobs/notes.txt": "not a job file",
    });
    const r = await cli(["validate", "jobs"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("jobs/b.yml:3:32: error:");
    expect(r.stdout).toContain("1 of 2 files valid");
    const run = await cli(["run", "jobs"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("cannot read jobs: it is a folder, not a job file");
  });

  it("prints JSON diagnostics", async () => {
    const r = await cli(["validate", "--format", "json", "duration.yaml"], {
      cwd: join(FIXTURES, "invalid"),
    });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        file: "duration.yaml",
        line: 5,
        column: 14,
        endLine: 5,
        endColumn: 23,
        severity: "error",
        code: "schema-pattern",
        message: 'jobs.slow.timeout: "5 minutes" is not a duration (use 5m)',
      },
    ]);
  });

  it("prints GitHub annotations", async () => {
    const r = await cli(["validate", "--format", "github", "needs-self.yaml"], {
      cwd: join(FIXTURES, "invalid"),
    });
    expect(r.stdout).toBe(
      '::error file=needs-self.yaml,line=5,col=13::jobs.a.needs: a job cannot need itself; remove "a"\n',
    );
  });

  it("names files relative to $GITHUB_WORKSPACE in annotations; run in github mode prints them too", async () => {
    const bad = 'version: 1\njobs:\n  a: { command: "true", needs: [zz] }\n';
    const dir = tempDir({ "ci/jobs/badv.yaml": bad });
    const cwd = join(dir, "ci/jobs");
    const annotation = '::error file=jobs/badv.yaml,line=3,col=33::jobs.a.needs: no job named "zz"\n';
    const env = { GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: join(dir, "ci"), GITHUB_STEP_SUMMARY: undefined };
    const v = await cli(["validate", "--format", "github", "badv.yaml"], { cwd, env });
    expect(v.code).toBe(2);
    expect(v.stdout).toBe(annotation);
    // run: github by default here (stdout is not a terminal), or asked for; text on stderr still.
    for (const args of [[], ["-o", "github"]]) {
      const r = await cli(["run", "badv.yaml", ...args], { cwd, env });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe(annotation);
      expect(r.stderr).toContain('badv.yaml:3:33: error: jobs.a.needs: no job named "zz"');
    }
    const lines = await cli(["run", "badv.yaml", "-o", "lines"], { cwd, env });
    expect(lines.code).toBe(2);
    expect(lines.stdout).toBe("");
    // A file outside the workspace keeps the path it was given.
    const outside = await cli(["validate", "--format", "github", "badv.yaml"], {
      cwd,
      env: { ...env, GITHUB_WORKSPACE: join(dir, "elsewhere") },
    });
    expect(outside.stdout).toBe(annotation.replace("jobs/badv.yaml", "badv.yaml"));
  });

  it("shows the lines around a mistake whole, and windows only a line that is itself long", async () => {
    const dir = tempDir({
      "f.yaml":
        'version: 1\njobs:\n  a:\n    command: "true"\n    description: a fairly long description line here\n    needs: [zz]\n',
      "long.yaml": `version: 1\njobs:\n  a:\n    command: "true"\n    description: ${"d".repeat(300)}\n    needs: [zz]\n`,
    });
    const r = await cli(["validate", "f.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "  5 |     description: a fairly long description line here\n> 6 |     needs: [zz]\n    |             ^^\n",
    );
    const long = await cli(["validate", "long.yaml"], { cwd: dir });
    expect(long.stderr).toMatch(/\n {2}5 \| {5}description: d{83}…\n> 6 \| {5}needs: \[zz\]\n/);
  });

  it("treats warnings as errors only with --strict", async () => {
    const cwd = join(FIXTURES, "invalid");
    const loose = await cli(["validate", "target-missing.yaml"], { cwd });
    expect(loose.code).toBe(0);
    expect(loose.stderr).toContain("warning: jobs.a.target: module ./nowhere.mjs does not exist (yet)");
    const strict = await cli(["validate", "--strict", "target-missing.yaml"], { cwd });
    expect(strict.code).toBe(2);
  });

  it("of 20,000 unknown needs on one line: 100 in text and github, all in JSON, frames a window", async () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `gone${i}`);
    const dir = tempDir({
      "big.yaml": `version: 1\njobs:\n  a: { command: echo a }\n  b: { command: echo b, needs: [${names.join(", ")}] }\n`,
    });
    const text = await cli(["validate", "big.yaml"], { cwd: dir });
    expect(text.code).toBe(2);
    const headers = text.stderr.match(/^big\.yaml:4:\d+: error: /gm) ?? [];
    expect(headers).toHaveLength(100);
    expect(text.stderr).toMatch(/\nbig\.yaml: … and 19900 more \(--format json lists all\)\n$/);
    expect(text.stdout).toContain("0 of 1 file valid (20000 errors, 0 warnings)");
    expect(Math.max(...text.stderr.split("\n").map((l) => l.length))).toBeLessThan(160);
    // The frame of the 100th (gone99, far into the line): cut on both sides, the carets under the name.
    const frame = text.stderr.slice(text.stderr.indexOf('"gone99"')).split("\n").slice(2, 4);
    expect(frame[0]).toMatch(/^> 4 \| ….*gone99,.*…$/);
    expect(frame[1]!.indexOf("^")).toBe(frame[0]!.indexOf("gone99,"));
    expect(frame[1]).toMatch(/ \^{6}$/);

    const github = await cli(["validate", "--format", "github", "big.yaml"], { cwd: dir });
    expect(github.code).toBe(2);
    expect(github.stdout.match(/^::error /gm)).toHaveLength(100);
    expect(github.stdout).toMatch(/\nbig\.yaml: … and 19900 more \(--format json lists all\)\n$/);

    const json = await cli(["validate", "--format", "json", "big.yaml"], { cwd: dir });
    expect(json.code).toBe(2);
    const all = JSON.parse(json.stdout) as { code: string; message: string }[];
    expect(all).toHaveLength(20_000);
    expect(new Set(all.map((d) => d.message)).size).toBe(20_000);
    expect(all.every((d) => d.code === "needs-unknown")).toBe(true);

    // `run` has no --format: it points at the command that lists them all.
    const run = await cli(["run", "big.yaml"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /\nbig\.yaml: … and 19900 more \(procflow validate --format json lists all\)\n$/,
    );
  });

  it("names a missing file in one line", async () => {
    const r = await cli(["validate", "nope.yaml"], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("nope.yaml: error: cannot read nope.yaml: no such file");
  });

  it("never executes anything in the file", async () => {
    const dir = tempDir({
      "x.yaml": `version: 1\njobs:\n  a: { command: touch executed, ready: { command: touch probed } }\n`,
    });
    expect((await cli(["validate", "x.yaml"], { cwd: dir })).code).toBe(0);
    expect((await cli(["graph", "x.yaml"], { cwd: dir })).code).toBe(0);
    expect(readdirSync(dir)).toEqual(["x.yaml"]);
  });
});

describe("procflow schema, graph and usage", () => {
  it("prints the schema", async () => {
    const r = await cli(["schema"]);
    expect(JSON.parse(r.stdout)).toEqual(
      JSON.parse(readFileSync(new URL("../../schemas/procflow.schema.json", import.meta.url), "utf8")),
    );
  });

  it("draws the graph as mermaid, dot and json", async () => {
    const dir = tempDir({ "g.yaml": good });
    const mermaid = await cli(["graph", "g.yaml"], { cwd: dir });
    expect(mermaid.stdout).toContain("flowchart LR");
    expect(mermaid.stdout).toContain('(["server (daemon)"])');
    expect(mermaid.stdout).toMatch(/j2 -.->\|always\| j3/);
    const dot = await cli(["graph", "--format", "dot", "g.yaml"], { cwd: dir });
    expect(dot.stdout).toContain('"build" -> "test";');
    const json = JSON.parse((await cli(["graph", "--format", "json", "g.yaml"], { cwd: dir })).stdout);
    expect(json.jobs.map((j: { name: string }) => j.name)).toEqual(["server", "build", "test", "report"]);
  });

  it("the graph shows the file's description and each job's", async () => {
    const dir = tempDir({
      "g.yaml":
        'version: 1\nname: demo\ndescription: the "whole" run\njobs:\n  a: { command: "true", description: builds it }\n  b: { command: "true", needs: [a] }\n',
    });
    const mermaid = (await cli(["graph", "g.yaml"], { cwd: dir })).stdout;
    expect(mermaid.startsWith('---\ntitle: "demo: the \\"whole\\" run"\n---\nflowchart LR\n')).toBe(true);
    expect(mermaid).toContain('j0["a<br/><small>builds it</small>"]');
    expect(mermaid).toContain('j1["b"]');
    const dot = (await cli(["graph", "--format", "dot", "g.yaml"], { cwd: dir })).stdout;
    expect(dot).toContain('label="the \\"whole\\" run"; labelloc=t;');
    expect(dot).toContain('"a" [label="a\\nbuilds it"];');
    const json = JSON.parse((await cli(["graph", "--format", "json", "g.yaml"], { cwd: dir })).stdout);
    expect([json.description, json.jobs[0].description]).toEqual(['the "whole" run', "builds it"]);
  });

  it("exits 2 on a usage error and 0 on --help / --version", async () => {
    expect((await cli(["validate"])).code).toBe(2);
    expect((await cli(["frobnicate"])).code).toBe(2);
    expect((await cli(["validate", "--format", "xml", "a.yaml"])).code).toBe(2);
    const dir = tempDir({ "g.yaml": good });
    for (const [args, message] of [
      [["-c", "0"], "argument '0' is invalid. expected a positive integer."],
      [["--env", "FOO"], "argument 'FOO' is invalid. expected KEY=VALUE."],
      [["--timeout", "soon"], '--timeout "soon" is not a duration'],
      [["--keep-going", "--fail-fast"], "cannot be used with option"],
    ] as const) {
      const r = await cli(["run", "g.yaml", ...args], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("validate");
    expect((await cli(["--version"])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // No command (or no action) is a usage error: the help goes to stderr, exit 2.
    for (const args of [[], ["ctl"]]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("Usage: procflow");
    }
    expect((await cli(["help", "run"])).code).toBe(0);
  });
});
