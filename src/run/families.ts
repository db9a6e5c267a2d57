// The scheduler's view of the graph: each selected instance with what it knows of it, grouped in
// families (a job as written: a matrix job's instances share their needs), and who needs whom.
import type { Job, JobGraph, Need } from "../graph/types.js";
import { type Counts, count, decider, emptyCounts, type InstanceFacts, status, type Unmet } from "./needs.js";

export interface Instance extends InstanceFacts {
  readonly job: Job;
  readonly index: number;
  phase: "waiting" | "queued" | "running" | "ended";
  /** A skip that fails the run. */
  failureSkip: boolean;
}

export interface Family {
  readonly name: string;
  readonly instances: Instance[];
  readonly handler: boolean;
  readonly counts: Counts;
  waiting: number;
}

export function buildFamilies(graph: JobGraph, selected: ReadonlySet<string> | null) {
  const instances = new Map<string, Instance>();
  const families = new Map<string, Family>();
  /** Job name as written → the families that need it. */
  const dependents = new Map<string, Family[]>();
  graph.jobs.forEach((job, index) => {
    if (selected && !selected.has(job.name)) return;
    const inst = newInstance(job, index);
    instances.set(job.name, inst);
    let fam = families.get(job.family);
    if (!fam) {
      // A handler runs after a failure too: it has a failure/always need, or needs only handlers.
      const handler =
        job.needs.some((n) => n.condition === "failure" || n.condition === "always") ||
        (job.needs.length > 0 && job.needs.every((n) => families.get(n.job)?.handler));
      fam = { name: job.family, instances: [], handler, counts: emptyCounts(), waiting: 0 };
      families.set(job.family, fam);
      for (const n of job.needs) {
        const list = dependents.get(n.job);
        if (list) list.push(fam);
        else dependents.set(n.job, [fam]);
      }
    }
    fam.instances.push(inst);
    fam.counts.size++;
    fam.waiting++;
  });
  return { instances, families, dependents };
}

/** An instance that waits for its needs. */
export function newInstance(job: Job, index: number): Instance {
  return {
    job,
    index,
    name: job.name,
    allowFailure: job.allowFailure,
    phase: "waiting",
    reached: "none",
    end: null,
    benign: false,
    failureSkip: false,
  };
}

/**
 * A waiting placeholder gives way to the instances its dynamic matrix became (SPEC §14): they join
 * `instances` and the family, whose counts follow, so a need on it waits for all of them.
 */
export function grow(
  fam: Family,
  old: Instance,
  jobs: readonly Job[],
  instances: Map<string, Instance>,
): Instance[] {
  count(fam.counts, old, -1);
  fam.counts.size--;
  fam.waiting--;
  fam.instances.splice(fam.instances.indexOf(old), 1);
  instances.delete(old.job.name);
  return jobs.map((job, i) => {
    // Between the placeholder's place and the next job's, in the order built.
    const inst = newInstance(job, old.index + i / jobs.length);
    instances.set(job.name, inst);
    fam.instances.push(inst);
    fam.counts.size++;
    fam.waiting++;
    return inst;
  });
}

/** A job that failed or timed out (without allow_failure), or a skip that fails the run. */
export function failsTheRun(inst: Instance): boolean {
  if (inst.end === "skipped") return inst.failureSkip;
  return (inst.end === "failed" || inst.end === "timed_out") && !inst.allowFailure;
}

/** The first of `needs` that does not hold now, and the needed job's state then (for `ctl start`). */
export function firstUnmet(needs: readonly Need[], families: ReadonlyMap<string, Family>): Unmet | null {
  for (const need of needs) {
    const fam = families.get(need.job);
    if (!fam || status(fam.counts, need.condition) === "met") continue;
    const d = decider(fam.instances, need.condition) as Instance;
    const state = d.end ?? (d.phase === "running" ? "running" : "waiting");
    return { need: need.job, condition: need.condition, state };
  }
  return null;
}
