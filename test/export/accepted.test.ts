// Every export is a Workflow that Argo accepts: the example job files and the fixtures of
// test/fixtures/argo/, checked against the CRD schema and its CEL rules, Argo's validator and
// Kubernetes' pod rules. The checks themselves are shown to catch what earlier exports got wrong.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../rig.js";
import { argoProblems, exportArgo, type Workflow } from "./argo-check.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const yamlIn = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join(dir, f));
const FILES = [...yamlIn("jobs"), ...yamlIn("test/fixtures/argo")];

describe("every export is accepted by Argo", () => {
  it.each(FILES)("%s", async (file) => {
    const r = await exportArgo(file, ROOT);
    expect(r.code).toBe(0);
    expect(argoProblems(r.workflow!)).toEqual([]);
  });
});

describe("the checks catch what Argo refuses", () => {
  const good = async (): Promise<Workflow> =>
    (await exportArgo(join(FIXTURES, "argo/allow-failure.yaml"), ROOT)).workflow!;
  type Tasks = Record<string, unknown>[];
  const tasksOf = (wf: Workflow) =>
    (wf.spec as { templates: { dag: { tasks: Tasks } }[] }).templates[0]!.dag.tasks;
  const templateOf = (wf: Workflow, i: number) =>
    (wf.spec as { templates: Record<string, unknown>[] }).templates[i]!;

  it("continueOn beside depends, and a task name that begins with a digit (CEL rules)", async () => {
    const wf = await good();
    Object.assign(tasksOf(wf)[1]!, { name: "2nd", continueOn: { failed: true } });
    const problems = argoProblems(wf);
    expect(problems).toContain("/spec/templates/0/dag/tasks/1: cannot use 'continueOn' when using 'depends'");
    expect(problems).toContain(
      "/spec/templates/0/dag/tasks/1: task name cannot begin with a digit when using 'depends' or 'dependencies'",
    );
    expect(problems).toContain(
      "templates.main cannot use 'continueOn' when using 'depends'. Instead use 'dep-task.Failed'/'dep-task.Errored'",
    );
  });

  it("a field the schema does not know, a CEL rule this test does not implement", async () => {
    const wf = await good();
    Object.assign(templateOf(wf, 1), { retryStrategy: { backoff: { maxduration: "30s" } } });
    Object.assign(tasksOf(wf)[0]!, { withSequence: { count: "2" } });
    const problems = argoProblems(wf);
    expect(problems).toContain(
      "/spec/templates/1/retryStrategy/backoff: must NOT have additional properties (maxduration)",
    );
    expect(
      problems.some((p) => p.includes("CEL rule not implemented by this test: only one of count or end")),
    ).toBe(true);
  });

  it("depends on a task that does not exist, or that does not parse; a variable that does not resolve", async () => {
    const wf = await good();
    const tasks = tasksOf(wf);
    tasks[1]!.depends = "nope.Succeeded";
    tasks[2]!.depends = "(opt.Succeeded || opt.Failed";
    (templateOf(wf, 1).container as { args: string[] }).args = ["{{inputs.parameters.port}}"];
    const problems = argoProblems(wf);
    expect(problems).toContain("templates.main.tasks.opt dependency 'nope' not defined");
    expect(problems).toContain(
      "templates.main.tasks.after depends '(opt.Succeeded || opt.Failed': unbalanced parentheses",
    );
    expect(problems).toContain("templates.a: failed to resolve {{inputs.parameters.port}}");
  });

  it("a probe port that Kubernetes would read as a port name", async () => {
    const wf = (await exportArgo(join(FIXTURES, "argo/matrix-ports.yaml"), ROOT)).workflow!;
    const server = templateOf(wf, 1);
    server.podSpecPatch = String(server.podSpecPatch).replace(/"port":(\{\{[^}]*\}\})/g, '"port":"$1"');
    expect(argoProblems(wf)).toContain(
      'task server (server[port=5432]): readinessProbe port: Invalid value: "5432": must contain at least one letter (a-z)',
    );
  });
});
