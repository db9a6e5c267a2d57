// The DAG's logic in Argo terms: each `needs` condition as a `depends` term over Argo's task results,
// and the verdict task that ends the run as procflow would.
//
// Argo's task results: Succeeded, Failed (a non-zero exit, a deadline), Errored (the pod could not
// run), Skipped (a false `when`), Omitted (its `depends` turned out false: procflow's skip), Daemoned
// (a daemon that runs and is ready). `continueOn` cannot be used once any task uses `depends`.
import type { Condition, Job } from "../graph/types.js";

type Result = "Succeeded" | "Failed" | "Errored" | "Skipped" | "Omitted" | "Daemoned";

const ENDED: readonly Result[] = ["Succeeded", "Failed", "Errored", "Skipped", "Omitted"];

/**
 * The results of `needed` that meet `condition`. A job with `allow_failure` meets `success` when it
 * fails too; `always` holds for a skipped job as well. Argo has no "started" for a task that is not a
 * daemon: `started`/`ready` on one wait for its end. A daemon counts once it runs and is ready (a
 * matrix of daemons: its task group succeeds then).
 */
function results(condition: Condition, needed: Job): readonly Result[] {
  switch (condition) {
    case "success":
      return needed.allowFailure ? ["Succeeded", "Failed", "Errored"] : ["Succeeded"];
    case "failure":
      return ["Failed", "Errored"];
    case "always":
      return ENDED;
    case "started":
    case "ready":
      return needed.daemon ? ["Daemoned", "Succeeded"] : ["Succeeded", "Failed"];
  }
}

/** One `depends` term: `task.Result`, or several in parentheses. */
function term(task: string, of: readonly Result[]): string {
  const parts = of.map((r) => `${task}.${r}`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(" || ")})`;
}

/** The `depends` of `job`; `task` and `jobOf` look a need's task and job up. */
export function dependsOf(
  job: Job,
  task: (family: string) => string,
  jobOf: (family: string) => Job,
  warn: (message: string) => void,
): string {
  const terms = job.needs.map((n) => {
    const needed = jobOf(n.job);
    if ((n.condition === "started" || n.condition === "ready") && !needed.daemon)
      warn(
        `job ${job.family}: needs ${n.job}: ${n.condition} waits until ${n.job} has ended in Argo (it starts a task after the ones it depends on have ended, daemons aside)`,
      );
    return term(task(n.job), results(n.condition, needed));
  });
  return terms.join(" && ");
}

/**
 * Whether Argo's own verdict can differ from procflow's. Argo decides a DAG by its leaf tasks (an
 * omitted leaf taking the phase of the tasks before it, a failure winning): right as long as a
 * failure only ever leads to omitted tasks. A handler (`failure`, `always`), a `started`/`ready` need
 * (a daemon may fail once its dependents run) or a job with `allow_failure` break that: a handler that
 * succeeds after a failure would end the Workflow Succeeded, a failed optional leaf would end it Failed.
 */
export function needsVerdict(jobs: readonly Job[]): boolean {
  return jobs.some((j) => j.allowFailure || j.needs.some((n) => n.condition !== "success"));
}

/** The verdict task's and template's name. */
export const VERDICT = "procflow-verdict";

/**
 * The verdict: one last task, the DAG's only leaf, that waits for every leaf and depends on no job
 * without `allow_failure` having failed or errored. When one did, it is omitted, and Argo gives an
 * omitted leaf the phase of the failed task before it: the Workflow fails. Otherwise it runs `true`
 * and succeeds, whatever a job with `allow_failure` did. (Argo cannot hand it the results to check
 * itself: `{{tasks.NAME.status}}` is not set for a task with withItems.)
 */
export function verdict(
  jobs: readonly Job[],
  task: (family: string) => string,
  image: string,
): { task: Record<string, unknown>; template: Record<string, unknown> } {
  const needed = new Set(jobs.flatMap((j) => j.needs.map((n) => n.job)));
  const depends = jobs
    .filter((j) => !j.allowFailure || !needed.has(j.family))
    .map((j) =>
      j.allowFailure
        ? term(task(j.family), j.daemon ? [...ENDED, "Daemoned"] : ENDED)
        : `!${term(task(j.family), ["Failed", "Errored"])}`,
    )
    .join(" && ");
  return {
    task: { name: VERDICT, template: VERDICT, depends },
    template: { name: VERDICT, container: { image, command: ["true"] } },
  };
}
