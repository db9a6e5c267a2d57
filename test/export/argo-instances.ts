// Each pod an exported Workflow would start, as its container would be: Argo's parameters filled in
// per withItems item, the template's podSpecPatch applied, then Kubernetes' `$(NAME)` expansion of env
// values, command and args. Also the pod rules Kubernetes checks when it creates such a pod.
import { schemaProblems } from "./argo-schema.js";

type Json = Record<string, unknown>;
export interface Container {
  image: string;
  command: string[];
  args?: string[];
  workingDir?: string;
  env?: { name: string; value: string }[];
  readinessProbe?: Json;
  livenessProbe?: Json;
}
interface Template {
  name: string;
  daemon?: boolean;
  podSpecPatch?: string;
  container: Container;
}
export interface Task {
  name: string;
  template: string;
  depends?: string;
  withItems?: Record<string, unknown>[];
  arguments?: { parameters: { name: string; value: string }[] };
}

export interface Instance {
  task: string;
  daemon: boolean;
  /** The template has a podSpecPatch, which the CRD schema does not check. */
  patched: boolean;
  /** Why the podSpecPatch, filled in, is not a JSON pod spec. */
  patchError: string | null;
  /** The container with parameters filled in and the podSpecPatch applied. */
  container: Container;
  /** What the process gets after Kubernetes' expansion. */
  argv: string[];
  env: Record<string, string>;
}

/**
 * Kubernetes' `$(NAME)` expansion (third_party/forked/golang/expansion): `$$` is `$`, `$(NAME)` the
 * variable's value or, when it is not defined, left as written; any other `$` stays.
 */
export function k8sExpand(input: string, vars: ReadonlyMap<string, string>): string {
  return input.replace(/\$(?:\$|\(([^)]*)\))/g, (whole, name?: string) =>
    name === undefined ? "$" : (vars.get(name) ?? whole),
  );
}

/** Argo's substitution of `{{name}}` tags in JSON text (values JSON-escaped, as Argo does). */
function fill(json: string, values: Record<string, string>): string {
  return json.replace(/\{\{([^{}]+)\}\}/g, (whole, tag: string) =>
    Object.hasOwn(values, tag.trim()) ? JSON.stringify(values[tag.trim()]).slice(1, -1) : whole,
  );
}

type DagTemplate = Template & { dag?: { tasks: Task[] } };

/** The tasks of the workflow's DAG and its templates by name. */
export function dagOf(workflow: Json): { tasks: Task[]; templates: Map<string, Template> } {
  const templates = (workflow.spec as { templates: DagTemplate[] }).templates;
  return { tasks: templates[0]!.dag!.tasks, templates: new Map(templates.map((t) => [t.name, t])) };
}

/** The pods of one task, one per item; `values` fills in the other tags (`workflow.uid`, `tasks.X.status`). */
export function podsOf(task: Task, template: Template, values: Record<string, string>): Instance[] {
  return (task.withItems ?? [null]).map((item) => {
    const items = Object.fromEntries(Object.entries(item ?? {}).map(([k, v]) => [`item.${k}`, String(v)]));
    const params = Object.fromEntries(
      (task.arguments?.parameters ?? []).map((p) => [
        `inputs.parameters.${p.name}`,
        fill(p.value, { ...values, ...items }),
      ]),
    );
    const filled = JSON.parse(fill(JSON.stringify(template), { ...values, ...params })) as Template;
    const container = { ...filled.container };
    let patchError: string | null = null;
    if (filled.podSpecPatch) {
      try {
        const patch = JSON.parse(filled.podSpecPatch) as { containers: Json[] };
        Object.assign(
          container,
          patch.containers.find((c) => c.name === "main"),
        );
        delete (container as Json).name;
      } catch (e) {
        patchError = (e as Error).message;
      }
    }
    const env = new Map<string, string>();
    for (const e of container.env ?? []) env.set(e.name, k8sExpand(e.value, env));
    return {
      task: task.name,
      daemon: filled.daemon === true,
      patched: filled.podSpecPatch !== undefined,
      patchError,
      container,
      argv: [...container.command, ...(container.args ?? [])].map((a) => k8sExpand(a, env)),
      env: Object.fromEntries(env),
    };
  });
}

/** Every pod of the workflow; `runId` is what `{{workflow.uid}}` becomes. */
export function instancesOf(workflow: Json, runId: string): Instance[] {
  const { tasks, templates } = dagOf(workflow);
  return tasks.flatMap((t) => podsOf(t, templates.get(t.template)!, { "workflow.uid": runId }));
}

/** What Kubernetes refuses when it creates the pods (or what could never work in them). */
export function podProblems(workflow: Json): string[] {
  const problems: string[] = [];
  for (const pod of instancesOf(workflow, "0b5c0d9e-6f2e-4f0a-9a51-2f4d2bbf3e11")) {
    const at = `task ${pod.task} (${pod.env.PROCFLOW_JOB ?? "?"})`;
    if (pod.patchError) problems.push(`${at}: podSpecPatch: ${pod.patchError}`);
    if (pod.patched) {
      // The patched container against the CRD's container schema.
      const spec = { templates: [{ name: "x", container: pod.container }] };
      const wf = { apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: {}, spec };
      problems.push(...schemaProblems(wf).map((p) => `${at}: ${p}`));
    }
    for (const field of ["readinessProbe", "livenessProbe"] as const) {
      const p = pod.container[field] as
        | { tcpSocket?: { port: unknown }; httpGet?: { port: unknown } }
        | undefined;
      const port = p?.tcpSocket?.port ?? p?.httpGet?.port;
      if (port === undefined) continue;
      if (typeof port === "number" && !(port >= 1 && port <= 65535))
        problems.push(`${at}: ${field} port: Invalid value: ${port}: must be between 1 and 65535, inclusive`);
      if (typeof port === "string")
        problems.push(
          /[a-z]/.test(port)
            ? `${at}: ${field} port: no port of the container is named ${JSON.stringify(port)}`
            : `${at}: ${field} port: Invalid value: ${JSON.stringify(port)}: must contain at least one letter (a-z)`,
        );
    }
    for (const e of pod.container.env ?? [])
      if (!/^[\x21-\x3c\x3e-\x7e]+$/.test(e.name))
        problems.push(
          `${at}: env ${JSON.stringify(e.name)}: must consist only of printable ASCII characters other than '='`,
        );
  }
  return problems;
}
