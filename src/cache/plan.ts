// `run --dry-run` with a cache: for each cacheable job, whether it would run or be `cached`. A job
// whose need would run is shown as running: its fingerprint is known only once that need has run; so
// is one that reads a need's result (its fingerprint covers the result: CacheSession).
import type { JobGraph } from "../graph/types.js";
import type { EnvBuilder } from "../run/env.js";
import { type CacheOptions, CacheSession } from "./session.js";

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
  const session = new CacheSession(graph, opts, env, warn);
  const planned = new Map<string, PlannedCache>();
  const runs = new Set<string>();
  for (const job of graph.jobs) {
    if (selected && !selected.has(job.name)) continue;
    const afterRun = job.needs.some((n) => graph.families[n.job]?.some((i) => runs.has(i)));
    const check = job.cache && !afterRun ? await session.check(job, "peek") : null;
    if (!check?.hit) runs.add(job.name);
    if (job.cache) planned.set(job.name, { fingerprint: check?.fingerprint ?? null, cached: !!check?.hit });
  }
  return planned;
}
