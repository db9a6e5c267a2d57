// `run --dry-run` with a cache: for each cacheable job, whether it would run or be `cached`. A job
// whose need would run is shown as running: its fingerprint is known only once that need has run. A
// job whose needs are all cached reads their results from their entries, as the run would.
import type { Value } from "../expr/ast.js";
import type { Job, JobGraph } from "../graph/types.js";
import type { EnvBuilder } from "../run/env.js";
import { type CacheOptions, CacheSession, type ScopeOf } from "./session.js";

export interface PlannedCache {
  /** null when it cannot be known before the run. */
  readonly fingerprint: string | null;
  readonly cached: boolean;
}

export async function cachePlan(
  graph: JobGraph,
  selected: ReadonlySet<string> | null,
  opts: CacheOptions,
  env: EnvBuilder,
  warn: (message: string) => void,
): Promise<Map<string, PlannedCache>> {
  /** Instance → the result its entry holds (the needs of a job checked here are all cached). */
  const results = new Map<string, Value>();
  const scope: ScopeOf = (job: Job, vars) => {
    const needs: Record<string, Value> = {};
    for (const n of job.needs) {
      if (n.condition !== "success" && n.condition !== "failure" && n.condition !== "always") continue;
      const instances = graph.families[n.job] ?? [];
      const byName = Object.fromEntries(instances.map((i) => [i, results.get(i) ?? null]));
      const single = instances.length === 1 && instances[0] === n.job;
      needs[n.job] = {
        results: byName,
        state: "cached",
        ok: true,
        ...(single ? { result: byName[n.job]! } : {}),
      };
    }
    return { env: vars, matrix: job.matrix ?? {}, job: { name: job.name }, run: { id: "" }, needs };
  };
  const session = new CacheSession(graph, opts, env, warn, scope);
  const planned = new Map<string, PlannedCache>();
  const runs = new Set<string>();
  for (const job of graph.jobs) {
    if (selected && !selected.has(job.name)) continue;
    const afterRun = job.needs.some((n) => graph.families[n.job]?.some((i) => runs.has(i)));
    const check = job.cache && !afterRun ? await session.check(job, "peek") : null;
    if (!check?.hit) runs.add(job.name);
    else results.set(job.name, (check.hit.result ?? null) as Value);
    if (job.cache) planned.set(job.name, { fingerprint: check?.fingerprint ?? null, cached: !!check?.hit });
  }
  return planned;
}
