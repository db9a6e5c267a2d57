// A local stand-in for Argo's DAG controller (workflow/controller/dag.go), to compare what a Workflow
// does with what procflow does: each task, in dependency order, is omitted when its `depends` is false
// and otherwise runs its pods' commands as real processes, with the job file's host folder standing in
// for the one mounted at --workdir; the Workflow's phase is decided as Argo decides a DAG's: by its leaf tasks, an omitted leaf
// taking the phase of the tasks before it, a failure winning. Daemons are taken as running and ready.
import { spawnSync } from "node:child_process";
import { posix } from "node:path";
import { dagOf, type Instance, podsOf } from "./argo-instances.js";
import { type Depends, dependsNames, parseDepends } from "./argo-validator.js";

type Phase = "Succeeded" | "Failed" | "Error" | "Omitted" | "Running";
interface Node {
  readonly phase: Phase;
  readonly daemoned: boolean;
}

export interface ArgoRun {
  /** PROCFLOW_JOB of every pod that ran (or the task's name), in the order they ran. */
  readonly ran: string[];
  readonly phase: "Succeeded" | "Failed" | "Error";
  /** stdout and stderr of the pods, in order. */
  readonly output: string;
}

/** Argo's task results of a node (dag.go evaluateDependsLogic). */
function holds(d: Depends, nodes: ReadonlyMap<string, Node>): boolean {
  switch (d.op) {
    case "not":
      return !holds(d.arg, nodes);
    case "and":
      return d.args.every((a) => holds(a, nodes));
    case "or":
      return d.args.some((a) => holds(a, nodes));
    case "term": {
      const n = nodes.get(d.task)!;
      const result = {
        Succeeded: n.phase === "Succeeded",
        Failed: n.phase === "Failed",
        Errored: n.phase === "Error",
        Skipped: false,
        Omitted: n.phase === "Omitted",
        Daemoned: n.daemoned,
      } as Record<string, boolean>;
      return d.result ? result[d.result]! : result.Succeeded! || result.Daemoned!;
    }
  }
}

/** Runs `workflow` exported from a file in `hostDir` with `--workdir workdir`. */
export function runArgo(workflow: Record<string, unknown>, hostDir: string, workdir: string): ArgoRun {
  const { tasks, templates } = dagOf(workflow);
  const deps = new Map(
    tasks.map((t) => [t.name, t.depends ? dependsNames(parseDepends(t.depends) as Depends) : []]),
  );
  const nodes = new Map<string, Node>();
  const ran: string[] = [];
  let output = "";
  const mounted = (path: string) =>
    path === workdir || path.startsWith(`${workdir}/`)
      ? posix.join(hostDir, path.slice(workdir.length))
      : path;
  const run = (pod: Instance): Phase => {
    const argv = pod.argv.map(mounted);
    const env = Object.fromEntries(Object.entries(pod.env).map(([k, v]) => [k, mounted(v)]));
    const r = spawnSync(argv[0]!, argv.slice(1), {
      cwd: mounted(pod.container.workingDir ?? workdir),
      env: { PATH: process.env.PATH, ...env },
      encoding: "utf8",
      timeout: 30_000,
    });
    ran.push(pod.env.PROCFLOW_JOB ?? pod.task);
    output += `${r.stdout ?? ""}${r.stderr ?? ""}`;
    return r.error ? "Error" : r.status === 0 ? "Succeeded" : "Failed";
  };
  const pending = [...tasks];
  while (pending.length > 0) {
    const i = pending.findIndex((t) => deps.get(t.name)!.every((d) => nodes.has(d)));
    const task = pending.splice(i, 1)[0]!;
    if (task.depends && !holds(parseDepends(task.depends) as Depends, nodes)) {
      nodes.set(task.name, { phase: "Omitted", daemoned: false });
      continue;
    }
    const statuses = Object.fromEntries([...nodes].map(([name, n]) => [`tasks.${name}.status`, n.phase]));
    const pods = podsOf(task, templates.get(task.template)!, { ...statuses, "workflow.uid": "<run id>" });
    if (pods[0]!.daemon) {
      // A task group succeeds once its daemons run; a single daemon is Running and daemoned.
      nodes.set(
        task.name,
        task.withItems ? { phase: "Succeeded", daemoned: false } : { phase: "Running", daemoned: true },
      );
      continue;
    }
    const phases = pods.map(run);
    const phase = phases.find((p) => p === "Error") ?? phases.find((p) => p === "Failed") ?? "Succeeded";
    nodes.set(task.name, { phase, daemoned: false });
  }

  // assessDAGPhase: the phase of each leaf's branch; a failure on any path to it wins.
  const branch = (name: string): Phase => {
    const own = nodes.get(name)!.phase;
    if (own === "Succeeded" || own === "Failed" || own === "Error") return own;
    const before = deps.get(name)!.map(branch);
    return before.find((p) => p === "Failed" || p === "Error") ?? "Succeeded";
  };
  const needed = new Set([...deps.values()].flat());
  const leaves = tasks.filter((t) => !needed.has(t.name)).map((t) => branch(t.name));
  const phase = leaves.find((p) => p === "Error") ?? leaves.find((p) => p === "Failed") ?? "Succeeded";
  return { ran, phase: phase as ArgoRun["phase"], output };
}
