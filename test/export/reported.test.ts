// What an Argo export cannot carry over is reported at its line, saying what the Workflow does
// instead, and the Workflow is still one that Argo accepts; matrix values reach the pods as procflow
// passes them, `$` and `{{…}}` included.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, FIXTURES, tempDir } from "../rig.js";
import { argoProblems, exportArgo, type Workflow } from "./argo-check.js";
import { instancesOf } from "./argo-instances.js";

const ROOT = new URL("../../", import.meta.url).pathname;

/** A job's fields as the schema gives them, each either mapped onto Argo or reported. */
const JOB_FIELDS = Object.keys(
  (
    JSON.parse(readFileSync(join(ROOT, "schemas/procflow.schema.json"), "utf8")) as {
      $defs: { job: { properties: Record<string, unknown> } };
    }
  ).$defs.job.properties,
);
const MAPPED = [
  "command",
  "target",
  "args",
  "shell",
  "cwd",
  "env",
  "needs",
  "daemon",
  "ready",
  "health",
  "restart",
  "max_restarts",
  "restart_delay",
  "timeout",
  "allow_failure",
  "if",
  "matrix",
  "description",
];
/** Reported whenever written (ready and health: a part of them; env: its env_file). */
const REPORTED = [
  "env_file",
  "ports",
  "inputs",
  "outputs",
  "inputs_env",
  "kill_timeout",
  "stop_signal",
  "success_codes",
  "watch",
];

const file = `version: 1
defaults: { kill_timeout: 2s }
jobs:
  svc:
    command: [srv]
    daemon: true
    description: serves the tests
    ready: { tcp: 8080, timeout: 10s }
    stop_signal: SIGINT
    kill_timeout: 1s
    env_file: svc.env
    ports: [http]
    success_codes: [0, 3]
  build:
    command: [make]
    needs: [svc]
    inputs: ["src/**"]
    outputs: [dist]
    inputs_env: [CC]
    watch: ["src/**"]
`;

/** `jobs.yaml:LINE:COLUMN` of the value written after `key` in `text`. */
function at(text: string, key: string, from = 0): string {
  const lines = text.split("\n");
  const i = lines.findIndex((l, n) => n >= from && l.includes(key));
  return `jobs.yaml:${i + 1}:${lines[i]!.indexOf(key) + key.length + 1}`;
}

/** `jobs.yaml:LINE:COLUMN` of the job `name`'s key: where what concerns the whole job is reported. */
function jobAt(text: string, name: string): string {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => l.startsWith(`  ${name}:`));
  return `jobs.yaml:${i + 1}:3`;
}

async function exported(text: string, files: Record<string, string> = {}) {
  const dir = tempDir({ "jobs.yaml": text, ...files });
  return exportArgo("jobs.yaml", dir);
}

type Templates = { name: string; metadata?: unknown; container?: Record<string, unknown> }[];
const templatesOf = (wf: Workflow) => (wf.spec as { templates: Templates }).templates;

describe("every job field of the schema is exported or reported", () => {
  it("the schema has no job field that the export neither maps nor reports", () => {
    expect([...JOB_FIELDS].sort()).toEqual([...MAPPED, ...REPORTED].sort());
  });

  it("each field that does not carry over is reported at its line, with what Argo does instead", async () => {
    const r = await exported(file, { "svc.env": "A=1\n" });
    expect(r.code).toBe(0);
    expect(argoProblems(r.workflow!)).toEqual([]);
    const warnings = [
      `${at(file, "stop_signal: ")}: warning: job svc: stop_signal is not exported: Argo stops the container with SIGTERM, not SIGINT`,
      `${at(file, "kill_timeout: ", 3)}: warning: job svc: kill_timeout is not exported: the container gets SIGKILL after the pod's terminationGracePeriodSeconds (30 s unless set), not after 1s`,
      `${at(file, "ready: ")}: warning: job svc: the ready probe's timeout is not exported: Kubernetes never gives up on a readinessProbe, so the job is not failed when it is not ready after 10s`,
      `${at(file, "env_file: ")}: warning: env_file svc.env is not exported, so the containers do not get its variables`,
      `${at(file, "ports: ")}: warning: ports are not exported: no job gets PROCFLOW_PORT_*`,
      `${at(file, "success_codes: ")}: warning: job svc: success_codes has no Argo equivalent: only 0 succeeds there`,
      `${at(file, "inputs: ")}: warning: job build: inputs and outputs are not exported: the cache is procflow's own, so the task runs every time and restores no outputs`,
      `${at(file, "watch: ")}: warning: job build: watch is not exported: a Workflow runs each job once`,
    ];
    for (const w of warnings) expect(r.stderr).toContain(w);
    // kill_timeout from defaults: at the job that gets it.
    expect(r.stderr).toContain(
      `${jobAt(file, "build")}: warning: job build: kill_timeout is not exported: the container gets SIGKILL after the pod's terminationGracePeriodSeconds (30 s unless set), not after 2s`,
    );
  });

  it("a job's description is its template's annotation; defaults that Argo shares are not reported", async () => {
    const text = `version: 1
jobs:
  a: { command: "true", description: "runs true", stop_signal: SIGTERM, ready: { delay: 1s, timeout: 60s } }
`;
    const r = await exported(text);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(argoProblems(r.workflow!)).toEqual([]);
    expect(templatesOf(r.workflow!)[1]!.metadata).toEqual({
      annotations: { "procflow/description": "runs true" },
    });
  });
});

describe("what cannot be mapped says what the Workflow does instead", () => {
  const text = `version: 1
jobs:
  plan: { command: [./plan.sh] }
  calc: { target: ./calc.mjs#run }
  svc: { command: [srv], daemon: true, ready: { log: listening }, health: { log: alive } }
  work:
    needs: [plan, calc, svc]
    if: contains(needs.plan.result.mode, 'x')
    command: [./work.sh, "\${{ needs.calc.result.n }}", "\${{ toJSON(needs.plan.result) }}"]
  fan:
    needs: [plan]
    matrix: "\${{ fromJSON(needs.plan.result.m) }}"
    command: [./fan.sh]
`;

  it("an if, result reads, a target's result, a whole matrix from a result, left-out probes", async () => {
    const r = await exported(text, { "calc.mjs": "export const run = () => ({ n: 1 });\n" });
    expect(r.code).toBe(0);
    expect(argoProblems(r.workflow!)).toEqual([]);
    for (const w of [
      `${at(text, "if: ")}: warning: job work: if is not mapped to Argo's when: contains() has no Argo equivalent in when, so the task runs whenever its needs are met, as if the if were true`,
      "warning: job work: ${{ needs.calc.result.n }} reads results in a way Argo cannot fill in (only ${{ needs.JOB.result.KEY }} of a command job maps), so the job gets that text as written",
      "warning: job work: ${{ toJSON(needs.plan.result) }} reads results in a way Argo cannot fill in (only ${{ needs.JOB.result.KEY }} of a command job maps), so the job gets that text as written",
      `${at(text, "target: ")}: warning: job calc: a target's result is not exported as output parameters`,
      `${at(text, "matrix: ")}: warning: job fan: a matrix built at run time: only one key given by fromJSON(needs.JOB.result.KEY) maps to withParam, so the task runs once, without the matrix's values`,
      `${at(text, "ready: ")}: warning: job svc: the ready probe is left out: a log probe has no Kubernetes equivalent (use tcp, http or command), so Argo counts the daemon ready as soon as it runs: the jobs that need it start then`,
      `${at(text, "health: ")}: warning: job svc: the health probe is left out: a log probe has no Kubernetes equivalent (use tcp, http or command), so the job is never stopped for failing its checks`,
    ])
      expect(r.stderr).toContain(w);
    // What the warnings say: the texts reach the pod as written.
    const work = instancesOf(r.workflow!, "run").find((p) => p.env.PROCFLOW_JOB === "work")!;
    expect(work.argv).toEqual([
      "./work.sh",
      "${{ needs.calc.result.n }}",
      "${{ toJSON(needs.plan.result) }}",
    ]);
  });
});

describe("matrix values reach the container as procflow passes them", () => {
  it("a $ is written $$ in withItems, and comes as written where Kubernetes expands nothing", async () => {
    const r = await exportArgo(join(FIXTURES, "argo/matrix-dollars.yaml"), ROOT);
    expect(r.stderr).toBe("");
    expect(argoProblems(r.workflow!)).toEqual([]);
    const task = (r.workflow!.spec as { templates: { dag?: { tasks: { withItems: unknown[] }[] } }[] })
      .templates[0]!.dag!.tasks[0]!;
    expect(task.withItems.slice(0, 8).filter((_, i) => i % 2 === 0)).toEqual([
      { v: "$$(PROCFLOW_JOB)", n: 1, "_raw-v": "$(PROCFLOW_JOB)" },
      { v: "a$$$$b", n: 1, "_raw-v": "a$$b" },
      { v: "$$", n: 1, "_raw-v": "$" },
      { v: "plain", n: 1, "_raw-v": "plain" },
    ]);
    const pods = instancesOf(r.workflow!, "run");
    expect(pods).toHaveLength(8);
    for (const v of ["$(PROCFLOW_JOB)", "a$$b", "$", "plain"]) {
      const pod = pods.find((p) => p.env.PROCFLOW_JOB === `say[v=${v},n=2]`)!;
      expect(pod.argv).toEqual(["echo", v, "n=2"]);
      expect(pod.env).toMatchObject({ V: `v=${v}`, PROCFLOW_MATRIX_V: v, PROCFLOW_MATRIX_N: "2" });
      expect(pod.container.workingDir).toBe(`/work/dir-${v}`);
      expect(pod.container.readinessProbe).toMatchObject({ exec: { command: ["test", "-n", v] } });
    }
  });

  it("a value that Argo fills in gets the warning the same text gets in command", async () => {
    const text = `version: 1
jobs:
  m:
    matrix: { v: ["$(PROCFLOW_JOB)", "{{workflow.name}}", "{{.Names}}"] }
    command: [echo, "\${{ matrix.v }}"]
  c:
    command: [echo, "{{workflow.name}}"]
`;
    const dir = tempDir({ "jobs.yaml": text });
    const r = await cli(["export", "--to", "argo", "jobs.yaml"], { cwd: dir });
    expect(r.code).toBe(0);
    const said = "{{workflow.name}} is filled in by Argo: the job cannot get it as written";
    expect(r.stderr).toContain(`${at(text, "matrix: ")}: warning: job m: ${said}`);
    expect(r.stderr).toContain(`${jobAt(text, "c")}: warning: job c: ${said}`);
    expect(r.stderr).not.toContain("{{.Names}} is filled in");
  });
});
