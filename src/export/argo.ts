// JobGraph → an Argo Workflows DAG (SPEC §10): job → task and container template, needs → `depends`,
// daemon → daemon template, matrix → withItems, probes → Kubernetes probes. What has no Argo
// equivalent is reported at its line, as an error (targets) or a warning (the rest).
import { dirname, posix, relative } from "node:path";
import { expandCheck } from "../graph/check.js";
import type { Condition, Job, JobGraph, Probe, Scalar } from "../graph/types.js";
import type { Diagnostic } from "../load/diagnostic.js";
import { substitute } from "../load/expressions.js";

export interface ArgoOptions {
  /** Container image every job runs in. */
  readonly image: string;
  /** Where the job file's folder is inside the container (jobs' cwd are relative to it). */
  readonly workdir: string;
}

export interface Exported {
  readonly workflow: Record<string, unknown>;
  readonly diagnostics: readonly Diagnostic[];
}

/** Argo substitutes `{{inputs.parameters.KEY}}` in a template: the placeholder for a matrix key. */
export const argoMatrixPlaceholder = (key: string) => `{{inputs.parameters.${key}}}`;

/**
 * `templates` has one instance per job (loaded with `argoMatrixPlaceholder`); `instances` is the
 * same file loaded as usual, whose matrix instances become each task's `withItems`.
 */
export function toArgo(templates: JobGraph, instances: JobGraph, opts: ArgoOptions): Exported {
  const diagnostics: Diagnostic[] = [];
  const report: Report = (job, field, severity, message) =>
    diagnostics.push({
      source: templates.source,
      range: (field && job.source.fields[field]) || job.source.range,
      severity,
      code: `export-${severity === "error" ? "unsupported" : "approximate"}`,
      message,
    });

  const envFiles = new Set<string>(); // each reported once, not once per job that reads it
  const names = taskNames(templates.jobs.map((j) => j.family));
  const daemons = new Set(templates.jobs.filter((j) => j.daemon).map((j) => j.family));
  const items = new Map<string, Record<string, Scalar>[]>();
  for (const job of instances.jobs) {
    if (!job.matrix) continue;
    const list = items.get(job.family);
    if (list) list.push(job.matrix);
    else items.set(job.family, [job.matrix]);
  }

  const tasks: Record<string, unknown>[] = [];
  const containers: Record<string, unknown>[] = [];
  for (const job of templates.jobs) {
    const name = names.get(job.family)!;
    if (job.target) {
      report(job, "target", "error", `job ${job.family}: a target cannot be exported yet; use a command`);
      continue;
    }
    const keys = job.matrix ? Object.keys(job.matrix) : [];
    const depends = job.needs
      .map((n) => dependency(names.get(n.job)!, n.condition, daemons.has(n.job)))
      .join(" && ");
    tasks.push({
      name,
      template: name,
      ...(depends ? { depends } : {}),
      ...(keys.length
        ? {
            withItems: items.get(job.family) ?? [],
            arguments: { parameters: keys.map((k) => ({ name: k, value: `{{item.${k}}}` })) },
          }
        : {}),
      ...(job.allowFailure ? { continueOn: { failed: true } } : {}),
    });
    containers.push(template(job, name, keys, { graph: templates, opts, report, envFiles }));
  }

  const workflow = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      generateName: `${dnsName(templates.name)}-`,
      ...(templates.description ? { annotations: { "procflow/description": templates.description } } : {}),
    },
    spec: {
      entrypoint: "main",
      ...(templates.concurrency ? { parallelism: templates.concurrency } : {}),
      templates: [{ name: "main", dag: { tasks } }, ...containers],
    },
  };
  return { workflow, diagnostics };
}

type Report = (job: Job, field: string | null, severity: Diagnostic["severity"], message: string) => void;

interface Context {
  readonly graph: JobGraph;
  readonly opts: ArgoOptions;
  readonly report: Report;
  readonly envFiles: Set<string>;
}

function template(job: Job, name: string, keys: string[], ctx: Context): Record<string, unknown> {
  const { graph, opts, report } = ctx;
  const env: Record<string, string> = {};
  const vars: Record<string, string> = {};
  for (const layer of job.env) {
    if ("file" in layer) {
      if (!ctx.envFiles.has(layer.file))
        report(
          job,
          "env_file",
          "warning",
          `env_file ${relative(dirname(graph.file), layer.file)} is not exported (keep its values in a Kubernetes Secret and add it with envFrom)`,
        );
      ctx.envFiles.add(layer.file);
      continue;
    }
    for (const [k, v] of Object.entries(layer.vars)) {
      vars[k] = v;
      env[k] = k8sExpand(v);
    }
  }
  env.PROCFLOW_RUN_ID = "{{workflow.uid}}";
  env.PROCFLOW_JOB = job.name;
  const argv = job.argv!.map(k8sExpand);
  if (job.successCodes.length !== 1 || job.successCodes[0] !== 0)
    report(
      job,
      "success_codes",
      "warning",
      `job ${job.family}: success_codes has no Argo equivalent: only 0 succeeds there`,
    );
  const dir = relative(dirname(graph.file), job.cwd);
  const container: Record<string, unknown> = {
    image: opts.image,
    command: argv.slice(0, 1),
    ...(argv.length > 1 ? { args: argv.slice(1) } : {}),
    workingDir: dir ? posix.join(opts.workdir, dir) : opts.workdir,
    env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
  };
  const ready = job.ready && probe(job, job.ready, "ready", vars, report);
  if (ready) container.readinessProbe = ready;
  const health = job.health && probe(job, job.health, "health", vars, report);
  if (health) container.livenessProbe = { ...health, failureThreshold: job.health!.retries };
  return {
    name,
    ...(keys.length ? { inputs: { parameters: keys.map((k) => ({ name: k })) } } : {}),
    ...(job.daemon ? { daemon: true } : {}),
    ...(job.timeoutMs !== null ? { activeDeadlineSeconds: seconds(job.timeoutMs) } : {}),
    ...(job.restart !== "never"
      ? {
          retryStrategy: {
            limit: job.maxRestarts,
            retryPolicy: job.restart === "always" ? "Always" : "OnFailure",
            backoff: { duration: `${seconds(job.restartDelayMs)}s`, factor: 2, maxDuration: "30s" },
          },
        }
      : {}),
    container,
  };
}

/**
 * A procflow probe as a Kubernetes probe; null (with a warning) when there is no equivalent. Probes
 * get no `$(NAME)` expansion in Kubernetes, so `${{ env.NAME }}` takes the value the file gives it.
 */
function probe(
  job: Job,
  p: Probe,
  kind: "ready" | "health",
  vars: Record<string, string>,
  report: Report,
): Record<string, unknown> | null {
  const timing = {
    periodSeconds: seconds(p.intervalMs),
    timeoutSeconds: seconds(Math.min(p.timeoutMs, 5000)),
  };
  const unknown: string[] = [];
  const expand = (value: string) =>
    substitute(value, (root, name) => {
      if (root === "env" && Object.hasOwn(vars, name)) return vars[name];
      unknown.push(`\${{ ${root}.${name} }}`);
      return undefined;
    });
  const check = expandCheck(p.check, expand);
  if (unknown.length > 0) {
    report(
      job,
      kind,
      "warning",
      `job ${job.family}: the ${kind} probe is left out: ${unknown.join(", ")} has no value before the job starts (set it in the file's or job's env)`,
    );
    return null;
  }
  switch (check.kind) {
    case "tcp":
      return { tcpSocket: { port: portOf(check.port), ...remoteHost(check.host) }, ...timing };
    case "http": {
      let url: URL;
      try {
        url = new URL(check.url);
      } catch {
        report(
          job,
          kind,
          "warning",
          `job ${job.family}: the ${kind} probe is left out: ${check.url} is not a URL`,
        );
        return null;
      }
      const port = url.port || (url.protocol === "https:" ? "443" : "80");
      return {
        httpGet: {
          path: `${url.pathname}${url.search}`,
          port: portOf(port),
          ...(url.protocol === "https:" ? { scheme: "HTTPS" } : {}),
          ...remoteHost(url.hostname),
        },
        ...timing,
      };
    }
    case "command":
      return { exec: { command: [...check.argv] }, ...timing };
    case "delay":
      return { exec: { command: ["true"] }, initialDelaySeconds: seconds(check.ms), ...timing };
    case "log":
      report(
        job,
        kind,
        "warning",
        `job ${job.family}: a log ${kind} probe has no Kubernetes equivalent and is left out (use tcp, http or command)`,
      );
      return null;
  }
}

/** The `depends` term for one need. A daemon counts as succeeded in Argo once it is running and ready. */
function dependency(task: string, condition: Condition, daemon: boolean): string {
  switch (condition) {
    case "success":
      return daemon ? task : `${task}.Succeeded`;
    case "failure":
      return `${task}.Failed`;
    case "always":
      return `(${task}.Succeeded || ${task}.Failed || ${task}.Errored)`;
    case "started":
    case "ready":
      return task;
  }
}

/** procflow's start-time expressions in Kubernetes terms: `$(NAME)` is expanded from the container's env. */
const k8sExpand = (value: string) =>
  substitute(value, (root, name) =>
    root === "env" ? `$(${name})` : root === "run" && name === "id" ? "{{workflow.uid}}" : undefined,
  );

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
const portOf = (port: string) => (/^\d+$/.test(port) ? Number(port) : port);
const remoteHost = (host: string) =>
  host === "127.0.0.1" || host === "localhost" || host === "::1" ? {} : { host };

/** DNS-1123 label: lower case, digits and dashes, at most 63 characters. */
function dnsName(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return s || "procflow";
}

/** Each job's task (and template) name: DNS-safe and unique, `main` being the DAG's own. */
function taskNames(families: string[]): Map<string, string> {
  const used = new Set(["main"]);
  const out = new Map<string, string>();
  for (const family of families) {
    const base = dnsName(family);
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base.slice(0, 60)}-${i}`;
    used.add(name);
    out.set(family, name);
  }
  return out;
}
