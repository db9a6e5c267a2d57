// The graph a run executes once its ports are picked: `${{ jobs.<job>.ports.<name> }}` replaced by
// the port in argv, env values, cwd, probes and a target's arguments. Pure: a new frozen graph.

import { expandCheck } from "../graph/check.js";
import type { EnvLayer, Job, JobGraph, Probe } from "../graph/types.js";
import { substitute } from "../load/expressions.js";

/** Instance name → port name → port. */
export type Ports = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** `api.ports.http`, `api[i=0].ports.http` → the job (or instance) and the port's name. */
const PORT_REF = /^(.+)\.ports\.([a-z][a-z0-9_]*)$/;

/**
 * The port that `jobs.<ref>.ports.<name>` means for `job`: `ref` names an instance, or a job (a
 * matrix job means the instance itself when it refers to its own family).
 */
export function portOf(ref: string, graph: JobGraph, ports: Ports, job: Job): number | undefined {
  const m = PORT_REF.exec(ref);
  if (!m) return undefined;
  const [, target, name] = m as unknown as [string, string, string];
  const instances = graph.families[target];
  const instance =
    target === job.family ? job.name : instances && instances.length === 1 ? instances[0]! : target;
  return ports[instance]?.[name];
}

export function withPorts(graph: JobGraph, ports: Ports): JobGraph {
  const jobs = graph.jobs.map((job) => {
    const sub = (s: string) =>
      substitute(s, (root, name) => {
        if (root !== "jobs") return undefined;
        const port = portOf(name, graph, ports, job);
        return port === undefined ? undefined : String(port);
      });
    const env = job.env.map(
      (l): EnvLayer =>
        "vars" in l
          ? { vars: Object.freeze(Object.fromEntries(Object.entries(l.vars).map(([k, v]) => [k, sub(v)]))) }
          : l,
    );
    const probe = (p: Probe | null) =>
      p && Object.freeze({ ...p, check: Object.freeze(expandCheck(p.check, sub)) });
    return Object.freeze({
      ...job,
      argv: job.argv && Object.freeze(job.argv.map(sub)),
      target: job.target && {
        ...job.target,
        args: Object.freeze(job.target.args.map((a) => (typeof a === "string" ? sub(a) : a))),
      },
      cwd: sub(job.cwd),
      env: Object.freeze(env),
      ready: probe(job.ready),
      health: probe(job.health),
    });
  });
  return Object.freeze({ ...graph, jobs: Object.freeze(jobs) });
}
