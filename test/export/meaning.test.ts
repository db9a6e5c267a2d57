// An export means what the job file means: each pod gets the argv and cwd that procflow's own plan
// gives the job, target jobs run procflow's bootstrap from the image, and the Workflow, run by a local
// stand-in for Argo's DAG controller, runs the same jobs and ends the same way as a real procflow run.
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, FIXTURES, tempDir } from "../rig.js";
import { exportArgo } from "./argo-check.js";
import { instancesOf } from "./argo-instances.js";
import { runArgo } from "./argo-run.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const WORKDIR = "/work";
const FILES = [
  ...readdirSync(join(ROOT, "jobs")).map((f) => join(ROOT, "jobs", f)),
  ...readdirSync(join(FIXTURES, "argo")).map((f) => join(FIXTURES, "argo", f)),
].filter((f) => f.endsWith(".yaml"));

interface Planned {
  job: string;
  argv: string[];
  cwd: string;
}

// Jobs that read results get them from output parameters, which only a real Argo fills in
// (test/export/results.test.ts checks how they are wired).
const READS_RESULTS = new Set([join(ROOT, "jobs", "results.yaml")]);

describe("each pod gets what procflow would give the job", () => {
  it.each(FILES.filter((f) => !READS_RESULTS.has(f)))("%s", async (file) => {
    const plan = await cli(["run", "--dry-run", "-o", "json", file]);
    const jobs = (JSON.parse(plan.stdout) as { jobs: Planned[] }).jobs;
    const { workflow } = await exportArgo(file, ROOT);
    const pods = new Map(instancesOf(workflow!, "<run id>").map((p) => [p.env.PROCFLOW_JOB, p]));
    const inContainer = (path: string) => posix.join(WORKDIR, relative(dirname(file), path));
    for (const planned of jobs) {
      const pod = pods.get(planned.job);
      expect(pod, planned.job).toBeDefined();
      expect(pod!.container.workingDir).toBe(inContainer(planned.cwd));
      if (planned.argv[1]?.endsWith("/dist/run/target-child.js")) {
        // node <bootstrap> <module> <export> <args> [daemon] — from the procflow in the image.
        const [, , module, ...rest] = planned.argv;
        expect(pod!.argv.slice(0, 2)).toEqual(["node", "-e"]);
        expect(pod!.argv.slice(3)).toEqual([inContainer(module!), ...rest]);
      } else expect(pod!.argv).toEqual(planned.argv);
    }
    expect([...pods.keys()].filter((j) => j !== undefined).sort()).toEqual(jobs.map((j) => j.job).sort());
  });
});

/** The jobs a real procflow run started and its exit code. */
async function procflowRun(file: string) {
  const r = await cli(["run", "-o", "json", file], { cwd: dirname(file) });
  const events = r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string; job?: string });
  const started = events.filter((e) => e.type === "job:start").map((e) => e.job!);
  return { ran: [...new Set(started)].sort(), code: r.code };
}

async function argoRun(file: string) {
  const { workflow } = await exportArgo(file, dirname(file));
  const run = runArgo(workflow!, dirname(file), WORKDIR);
  return { ...run, ran: run.ran.filter((j) => j !== "procflow-verdict").sort() };
}

describe("the Workflow runs the same jobs and ends the same way as procflow", () => {
  const fixture = (name: string, edit: (text: string) => string = (t) => t) => {
    const dir = tempDir();
    writeFileSync(join(dir, name), edit(readFileSync(join(FIXTURES, "argo", name), "utf8")));
    return join(dir, name);
  };
  const scenarios: [string, string, number][] = [
    ["handlers: tests pass, the handler is skipped, the cleanup runs", fixture("handlers.yaml"), 0],
    [
      "handlers: tests fail, the handler and the cleanup run, the run fails",
      fixture("handlers.yaml", (t) => t.replace('"exit 0"', '"exit 1"')),
      1,
    ],
    [
      "allow_failure: optional jobs fail, what needs them runs, the run succeeds",
      fixture("allow-failure.yaml"),
      0,
    ],
    ["names that begin with a digit", fixture("digit-names.yaml"), 0],
    ["dollars reach the jobs as written", fixture("dollars.yaml"), 0],
  ];
  const matrix = tempDir({
    "matrix.yaml": `version: 1
jobs:
  shard: { matrix: { n: [1, 2, 3] }, command: [sh, -c, "test \${{ matrix.n }} -ne 2"] }
  report: { command: echo report, needs: { shard: failure } }
  merge: { command: echo merge, needs: [shard] }
  always: { command: echo always, needs: { merge: always } }
`,
  });
  scenarios.push(["a matrix with a failed instance", join(matrix, "matrix.yaml"), 1]);

  it.each(scenarios)("%s", async (_, file, code) => {
    const procflow = await procflowRun(file);
    expect(procflow.code).toBe(code);
    const argo = await argoRun(file);
    expect(argo.ran).toEqual(procflow.ran);
    expect(argo.phase).toBe(code === 0 ? "Succeeded" : "Failed");
  });

  it("target jobs run procflow's bootstrap from the procflow installed in the image", async () => {
    const project = tempDir();
    cpSync(join(ROOT, "jobs"), project, { recursive: true });
    mkdirSync(join(project, "node_modules"));
    symlinkSync(ROOT, join(project, "node_modules", "procflow"));
    const argo = await argoRun(join(project, "processes.yaml"));
    expect(argo.phase).toBe("Succeeded");
    expect(argo.ran).toEqual(["args", "increment", "isolated", "pids", "subclass"]);
    expect(argo.output).toContain("hello, procflow (2/2)");
  });
});
