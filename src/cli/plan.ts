// `procflow run --dry-run`: the plan (order, argv after substitution, cwd), as text or JSON. Starts nothing.
import type { Colors } from "picocolors/types.js";
import { expand } from "../expr/template.js";
import { selectJobs } from "../graph/select.js";
import type { JobGraph } from "../graph/types.js";
import { shellArgv, visible } from "../report/format.js";
import { jobArgv, readsNoNeeds } from "../run/argv.js";
import { EnvBuilder } from "../run/env.js";

type PlannedCache = import("../cache/plan.js").PlannedCache;

/** A cacheable job's line of the plan: `cache: "run" | "cached"` and the fingerprint's first 12 characters. */
const cacheFields = (p: PlannedCache | undefined) =>
  p ? { cache: p.cached ? "cached" : "run", fingerprint: p.fingerprint?.slice(0, 12) ?? null } : {};

/** What `${{ run.id }}` shows in a plan: a run that does not exist has no id. */
const PLAN_RUN_ID = "<run id>";

export function printPlan(
  graph: JobGraph,
  only: string[],
  opts: {
    json: boolean;
    concurrency?: number;
    env: Record<string, string>;
    /** Cacheable jobs: run or cached, and their fingerprints. */
    cache?: ReadonlyMap<string, PlannedCache>;
  },
  c: Colors,
): string {
  const selected = only.length > 0 ? selectJobs(graph, only).selected : null;
  const envs = new EnvBuilder({
    base: process.env,
    overrides: opts.env,
    runId: PLAN_RUN_ID,
    color: false,
  });
  const jobs = graph.jobs
    .filter((j) => !selected || selected.has(j.name))
    .map((j) => {
      // The environment decides `${{ env.* }}` (a missing env_file fails the job when it runs); results
      // are not known yet: expressions that read them are shown as written.
      const known = { matrix: j.matrix ?? {}, job: { name: j.name }, run: { id: PLAN_RUN_ID } };
      // A variable whose expression fails (the job will not start) leaves them all as written.
      const expanded = envs.forJob(j, 1, (value, soFar) =>
        expand(value, { ...known, env: soFar }, readsNoNeeds),
      );
      const env = expanded.ok ? expanded : envs.forJob(j, 1);
      const scope = { ...known, env: env.ok ? env.env : {} };
      const argv = jobArgv(j, scope, readsNoNeeds);
      return {
        job: j.name,
        argv: argv.ok ? argv.argv : (j.argv ?? []),
        cwd: j.cwd,
        needs: j.needs.map((n) => `${n.job}:${n.condition}`),
        daemon: j.daemon,
        priority: j.weight,
        ...cacheFields(opts.cache?.get(j.name)),
        ...(j.if !== null ? { if: j.if.trim() } : {}),
      };
    });
  const concurrency = opts.concurrency ?? graph.concurrency;
  if (opts.json) return `${JSON.stringify({ file: graph.file, concurrency, jobs }, null, 2)}\n`;
  let out = `${c.bold(`plan for ${graph.name}`)} (${jobs.length} job${jobs.length === 1 ? "" : "s"}${concurrency ? `, concurrency ${concurrency}` : ""})\n`;
  jobs.forEach((j, i) => {
    out += `${String(i + 1).padStart(3)}. ${c.bold(visible(j.job))}${j.daemon ? c.dim(" (daemon)") : ""}${j.needs.length ? c.dim(` after ${visible(j.needs.join(", "))}`) : ""}\n`;
    out += `     ${shellArgv(j.argv)}\n`;
    if (j.if) out += c.dim(`     if ${visible(j.if)}\n`);
    out += c.dim(`     in ${visible(j.cwd)}\n`);
    if (j.cache)
      out += `     ${j.cache === "cached" ? c.cyan(`cached (${j.fingerprint})`) : `runs${j.fingerprint ? c.dim(` (fingerprint ${j.fingerprint} not cached)`) : c.dim(" (after what it needs has run)")}`}\n`;
  });
  return out;
}
