// JobGraph → an Argo Workflows DAG (SPEC §10): job → task and container template, needs → `depends`,
// daemon → daemon template, matrix → withItems, probes → Kubernetes probes, target → procflow's own
// bootstrap in the container. What Argo cannot express the same way is reported at its line, as a
// warning; the Workflow written is always one that Argo accepts.
import { dirname, posix, relative } from "node:path";
import { dynamicInstance } from "../graph/instance.js";
import type { Job, JobGraph, Scalar } from "../graph/types.js";
import type { Diagnostic } from "../load/diagnostic.js";
import { dependsOf, needsVerdict, VERDICT, verdict } from "./argo-dag.js";
import { reportUnexported } from "./argo-fields.js";
import { dnsName, taskNames } from "./argo-names.js";
import { probesOf, seconds } from "./argo-probes.js";
import {
  type HasResults,
  outputParameters,
  passResult,
  referencedResults,
  whenOf,
  withParamOf,
  withResultFile,
} from "./argo-results.js";
import { argoTags, containerValue, type EnvScope, k8sLiteral, probeValue, RUN_ID } from "./argo-values.js";

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
 * The parameter that brings matrix key KEY as written: no matrix key has a `-`, and no result's
 * parameter (`task-key`) begins with `_`.
 */
const writtenParameter = (key: string) => `_raw-${key}`;

/**
 * A target runs procflow's bootstrap (`dist/run/target-child.js`) with the argv procflow gives it,
 * from the procflow installed in the image: in the project (where `npx procflow` finds it) or globally.
 */
const TARGET_BOOTSTRAP = [
  'const p=require("path");let b;',
  'try{b=p.join(p.dirname(require.resolve("procflow",{paths:[process.cwd(),p.join(process.execPath,"../../lib/node_modules")]})),"run","target-child.js")}',
  'catch{console.error("procflow: a target job needs procflow in the image (npm install procflow, in the project or globally)");process.exit(1)}',
  'process.argv.splice(1,0,b);import(require("url").pathToFileURL(b).href)',
].join("");

/**
 * `templates` has one instance per job (loaded with `argoMatrixPlaceholder`); `instances` is the
 * same file loaded as usual, whose matrix instances become each task's `withItems`.
 */
export function toArgo(templates: JobGraph, instances: JobGraph, opts: ArgoOptions): Exported {
  const diagnostics: Diagnostic[] = [];
  const warn: Warn = (job, field, message) =>
    diagnostics.push({
      source: job.source.file,
      range: (field && job.source.fields[field]) || job.source.range,
      severity: "warning",
      code: "export-approximate",
      message,
    });

  const names = taskNames(
    templates.jobs.map((j) => j.family),
    ["main", VERDICT],
  );
  const task = (family: string) => names.get(family)!;
  const byFamily = new Map(templates.jobs.map((j) => [j.family, j]));
  const items = new Map<string, Record<string, Scalar>[]>();
  for (const job of instances.jobs) {
    if (!job.matrix) continue;
    const list = items.get(job.family);
    if (list) list.push(job.matrix);
    else items.set(job.family, [job.matrix]);
  }
  const reads = referencedResults(templates.jobs);
  const hasResults = (family: string) => !byFamily.get(family)?.target;
  const ctx: Context = { graph: templates, opts, warn, reported: new Set(), task, hasResults, reads };

  const tasks: Record<string, unknown>[] = [];
  const containers: Record<string, unknown>[] = [];
  for (const job of templates.jobs) {
    const name = task(job.family);
    const param = job.dynamicMatrix ? withParamOf(job, task, hasResults) : null;
    if (param && !param.ok)
      warn(
        job,
        "matrix",
        `job ${job.family}: a matrix built at run time: ${param.why}, so the task runs once, without the matrix's values`,
      );
    const keys = param?.ok ? [param.key] : job.matrix ? Object.keys(job.matrix) : [];
    const when = job.if === null ? null : whenOf(job.if, task, hasResults);
    if (when && !when.ok)
      warn(
        job,
        "if",
        `job ${job.family}: if is not mapped to Argo's when: ${when.why}, so the task runs whenever its needs are met, as if the if were true`,
      );
    else if (when && /\{\{tasks\.[^}]*\.outputs\.parameters\./.test(when.value))
      warn(
        job,
        "if",
        `job ${job.family}: if reads a result: Argo's when splices the result's text into the expression and compares strings case-sensitively ('PROD' == 'prod' is false there; procflow compares them case-insensitively and never evaluates a result's text)`,
      );
    const depends = dependsOf(
      job,
      task,
      (family) => byFamily.get(family)!,
      (m) => warn(job, "needs", m),
    );
    // A matrix built at run time: its template takes the key as an input parameter, as a written one does.
    const shaped = param?.ok ? dynamicInstance(job, { [param.key]: argoMatrixPlaceholder(param.key) }) : job;
    // Results the job reads come in as input parameters too: only a DAG task can name other tasks.
    const passed = new Map<string, string>();
    const rows = param?.ok ? [] : (items.get(job.family) ?? []);
    const tags = argoTags(JSON.stringify(rows), new Set());
    if (tags.length > 0)
      warn(
        job,
        "matrix",
        `job ${job.family}: ${[...new Set(tags)].join(", ")} is filled in by Argo: the job cannot get it as written`,
      );
    // Argo puts an item into args and env as it is, and Kubernetes then expands `$(NAME)` there: an
    // item's `$` is written `$$`. Where Kubernetes expands nothing (workingDir, probes), the value
    // comes as written through a second parameter.
    const dollars = new Set(keys.filter((k) => rows.some((r) => String(r[k]).includes("$"))));
    const asWritten = new Set<string>();
    containers.push(template(shaped, name, keys, ctx, passed, { dollars, asWritten }));
    const parameters = [
      ...(param?.ok
        ? [{ name: param.key, value: "{{item}}" }]
        : [...keys, ...[...asWritten].map(writtenParameter)].map((k) => ({
            name: k,
            value: `{{item.${k}}}`,
          }))),
      ...[...passed].map(([p, value]) => ({ name: p, value })),
    ];
    const withItems = rows.map((row) => {
      const item: Record<string, Scalar> = { ...row };
      for (const k of dollars) item[k] = k8sLiteral(String(row[k]));
      for (const k of asWritten) item[writtenParameter(k)] = row[k]!;
      return item;
    });
    tasks.push({
      name,
      template: name,
      ...(depends ? { depends } : {}),
      ...(when?.ok ? { when: when.value } : {}),
      ...(param?.ok ? { withParam: param.value } : keys.length ? { withItems } : {}),
      ...(parameters.length ? { arguments: { parameters } } : {}),
    });
  }
  if (needsVerdict(templates.jobs)) {
    const last = verdict(templates.jobs, task, opts.image);
    tasks.push(last.task);
    containers.push(last.template);
  }

  // Argo counts running daemon pods against `parallelism`; procflow's daemons take no slot.
  const daemons = instances.jobs.filter((j) => j.daemon).length;
  const workflow = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      // Kubernetes adds 5 characters to a generateName and allows 63.
      generateName: `${dnsName(templates.name, 57)}-`,
      ...(templates.description ? { annotations: { "procflow/description": templates.description } } : {}),
    },
    spec: {
      entrypoint: "main",
      ...(templates.concurrency ? { parallelism: templates.concurrency + daemons } : {}),
      templates: [{ name: "main", dag: { tasks } }, ...containers],
    },
  };
  return { workflow, diagnostics };
}

type Warn = (job: Job, field: string | null, message: string) => void;

interface Context {
  readonly graph: JobGraph;
  readonly opts: ArgoOptions;
  readonly warn: Warn;
  /** What was reported once for the whole file: env files, variables with no value. */
  readonly reported: Set<string>;
  /** A job's task name. */
  readonly task: (family: string) => string;
  readonly hasResults: HasResults;
  /** The result keys other jobs read, per job. */
  readonly reads: ReadonlyMap<string, ReadonlySet<string>>;
}

function template(
  job: Job,
  name: string,
  keys: string[],
  ctx: Context,
  passed: Map<string, string>,
  matrix: { readonly dollars: ReadonlySet<string>; readonly asWritten: Set<string> },
): Record<string, unknown> {
  const { graph, opts, warn } = ctx;
  const once = (key: string, field: string, message: string) => {
    if (!ctx.reported.has(key)) warn(job, field, message);
    ctx.reported.add(key);
  };
  const folder = dirname(graph.file);
  const vars: Record<string, string> = {};
  for (const layer of job.env) {
    if ("file" in layer)
      once(
        `env_file ${layer.file}`,
        "env_file",
        `env_file ${relative(folder, layer.file)} is not exported, so the containers do not get its variables (keep them in a Kubernetes Secret and add it with envFrom)`,
      );
    else Object.assign(vars, layer.vars);
  }
  if (job.ports.length > 0)
    once(
      `ports ${job.family}`,
      "ports",
      `ports are not exported: no job gets PROCFLOW_PORT_*, and \${{ jobs.${job.family}.ports.* }} reaches the jobs as written; each pod has its own network, so give ${job.family} fixed ports (and reach it through a Service) instead`,
    );
  const hasEnvFile = job.env.some((layer) => "file" in layer);
  // What procflow gives every child (SPEC §6), over the file's env; PROCFLOW_ATTEMPT has no Argo value.
  const declared: Record<string, string> = {
    ...vars,
    PROCFLOW_RUN_ID: RUN_ID,
    PROCFLOW_JOB: job.name,
    PROCFLOW_FILE: posix.join(opts.workdir, relative(folder, job.file)),
  };
  const scope = (values: Record<string, string>, field: string): EnvScope => ({
    declared: values,
    tag: (path) =>
      path[0] === "matrix" && path[1]
        ? String(job.matrix?.[path[1]] ?? "") || null
        : passResult(path, ctx.task, ctx.hasResults, passed),
    unmapped: (text) =>
      once(
        `unmapped ${job.family} ${text}`,
        field,
        `job ${job.family}: ${text} reads results in a way Argo cannot fill in (only \${{ needs.JOB.result.KEY }} of a command job maps), so the job gets that text as written`,
      ),
    unset: (variable) => {
      if (!hasEnvFile)
        once(
          `variable ${variable}`,
          field,
          `\${{ env.${variable} }} has no value in the Workflow: procflow takes it from its own environment, which a container does not share; set ${variable} in the file's env (until then the container gets $(${variable}), which Kubernetes fills only from the container's env)`,
        );
    },
  });
  // An env value's own `${{ env.NAME }}` is the file's NAME; argv and probes then see the values so filled in.
  const literal = scope(mapValues(declared, k8sLiteral), "env");
  const env = mapValues(declared, (v) => containerValue(v, literal));
  const probeVars = mapValues(declared, (v) => probeValue(v, declared, []));

  const own = new Set(keys.map((k) => argoMatrixPlaceholder(k)));
  const tags = argoTags(JSON.stringify([job.argv, job.target, vars, job.cwd, job.ready, job.health]), own);
  if (tags.length > 0)
    warn(
      job,
      null,
      `job ${job.family}: ${[...new Set(tags)].join(", ")} is filled in by Argo: the job cannot get it as written`,
    );
  reportUnexported(job, (field, message) => warn(job, field, message));

  const argv = job.target
    ? [
        "node",
        "-e",
        TARGET_BOOTSTRAP,
        posix.join(opts.workdir, relative(folder, job.target.module)),
        job.target.export,
        JSON.stringify(job.target.args),
        ...(job.daemon ? ["daemon"] : []),
      ].map(k8sLiteral)
    : job.argv!.map((a) => containerValue(a, scope(env, "command")));
  const outputs = ctx.reads.get(job.family);
  if (outputs && job.target)
    warn(
      job,
      "target",
      `job ${job.family}: a target's result is not exported as output parameters; write it to PROCFLOW_RESULT from a command job`,
    );
  const run = outputs && !job.target ? withResultFile(argv, k8sLiteral) : argv;
  const dir = relative(folder, job.cwd);
  // A matrix value escaped for Kubernetes' expansion comes as written where there is none.
  const written = (text: string) =>
    text.replace(/\{\{inputs\.parameters\.(\w+)\}\}/g, (tag, k: string) => {
      if (!matrix.dollars.has(k)) return tag;
      matrix.asWritten.add(k);
      return argoMatrixPlaceholder(writtenParameter(k));
    });
  const container: Record<string, unknown> = {
    image: opts.image,
    command: run.slice(0, 1),
    ...(run.length > 1 ? { args: run.slice(1) } : {}),
    workingDir: written(dir ? posix.join(opts.workdir, dir) : opts.workdir),
    env: Object.entries(env).map(([name, value]) => ({ name, value })),
  };
  const probes = probesOf(job, probeVars, (field, message) => warn(job, field, message));
  Object.assign(container, JSON.parse(written(JSON.stringify(probes.container))));
  const podSpecPatch = probes.podSpecPatch && written(probes.podSpecPatch);
  const parameters = [...keys, ...[...matrix.asWritten].map(writtenParameter), ...passed.keys()];
  return {
    name,
    ...(job.description ? { metadata: { annotations: { "procflow/description": job.description } } } : {}),
    ...(parameters.length ? { inputs: { parameters: parameters.map((k) => ({ name: k })) } } : {}),
    ...(outputs && !job.target ? { outputs: outputParameters(outputs) } : {}),
    ...(job.daemon ? { daemon: true } : {}),
    ...(job.timeoutMs !== null ? { activeDeadlineSeconds: seconds(job.timeoutMs) } : {}),
    ...(job.restart !== "never"
      ? {
          retryStrategy: {
            limit: job.maxRestarts,
            retryPolicy: job.restart === "always" ? "Always" : "OnFailure",
            // procflow doubles the delay up to 30 s each time (Argo's cap); maxDuration would end all retries.
            backoff: { duration: duration(job.restartDelayMs), factor: 2, cap: "30s" },
          },
        }
      : {}),
    ...(podSpecPatch ? { podSpecPatch } : {}),
    container,
  };
}

const mapValues = (o: Record<string, string>, f: (v: string) => string) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

/** A duration as Argo reads it (Go's syntax): whole seconds, else milliseconds. */
const duration = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
