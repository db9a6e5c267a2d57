// What later jobs can read of earlier ones (SPEC §14): each instance's last result, and the scope of
// a job's expressions — env, matrix, job.name, run.id, and needs.<job>.result/results/state/ok.
import type { EventOf } from "../events.js";
import type { Value } from "../expr/ast.js";
import type { Scope } from "../expr/evaluate.js";
import type { Job } from "../graph/types.js";
import { type InstanceFacts, meetsSuccess } from "./needs.js";

/** The instances of a family as the scheduler knows them (undefined: not in this run). */
export type Members = (family: string) => readonly InstanceFacts[] | undefined;

export class Results {
  /** Instance → its last attempt's result (null when it wrote none). */
  private readonly last = new Map<string, Value>();

  /** An attempt's end, or a job not run whose result comes from the cache or an earlier run. */
  record(e: EventOf<"job:exit" | "job:cached" | "job:reused">): void {
    this.last.set(e.job, "result" in e ? ((e.result ?? null) as Value) : null);
  }

  /** The values a job's expressions see. */
  scope(job: Job, members: Members, env: Readonly<Record<string, string>>, runId: string): Scope {
    const needs: Record<string, Value> = {};
    for (const n of job.needs) {
      if (n.condition !== "success" && n.condition !== "failure" && n.condition !== "always") continue;
      const instances = members(n.job);
      if (instances) needs[n.job] = this.view(n.job, instances);
    }
    return { env, matrix: job.matrix ?? {}, job: { name: job.name }, run: { id: runId }, needs };
  }

  private view(family: string, instances: readonly InstanceFacts[]): Value {
    const results: Record<string, Value> = {};
    for (const i of instances) results[i.name] = this.last.get(i.name) ?? null;
    const notOk = instances.find((i) => !meetsSuccess(i));
    const view: Record<string, Value> = {
      results,
      state: familyState(instances, notOk),
      ok: notOk === undefined,
    };
    const single = instances.length === 1 && instances[0]!.name === family;
    if (single) view.result = results[family] ?? null;
    return view;
  }
}

/**
 * A family's end state as `needs.<job>.state` tells it: a job's own (as in `run:end.jobs`: `cached`,
 * or `failed` under allow_failure, too); for a matrix, the first instance that did not meet
 * `success`, else one that failed under allow_failure, else the state all share, else `succeeded`.
 */
function familyState(instances: readonly InstanceFacts[], notOk: InstanceFacts | undefined): Value {
  const worst = notOk ?? instances.find((i) => i.end === "failed" || i.end === "timed_out");
  if (worst) return worst.end;
  const first = instances[0]?.end ?? "succeeded";
  return instances.every((i) => i.end === first) ? first : "succeeded";
}
