// The pure decisions of a job's lifecycle: how an attempt ended, and whether and when it runs again.
import type { AttemptState, StopReason } from "../events.js";
import type { Job } from "../graph/types.js";

const MAX_RESTART_DELAY_MS = 30_000;

/** Stops decided by the run (its end, an interrupt, a request), not by the job's own supervision. */
const RUN_STOPS: ReadonlySet<StopReason> = new Set([
  "daemon-done",
  "fail-fast",
  "interrupt",
  "run-timeout",
  "parent-exit",
  "manual",
  "watch",
]);

export interface AttemptEnd {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why the process could not run (spawn error), or why supervision failed it (probe, target error). */
  readonly error: string | null;
  readonly stopReason: StopReason | null;
}

/** How one attempt ended, and why when it failed. */
export function classifyExit(
  job: Pick<Job, "daemon" | "successCodes">,
  end: AttemptEnd,
): { state: AttemptState; error: string | null } {
  if (end.stopReason && RUN_STOPS.has(end.stopReason)) return { state: "stopped", error: end.error };
  if (end.stopReason === "timeout") return { state: "timed_out", error: end.error };
  if (end.error) return { state: "failed", error: end.error };
  if (job.daemon) {
    const how = end.signal ? `signal ${end.signal}` : `exit code ${end.exitCode}`;
    return { state: "failed", error: `daemon exited before the work was done (${how})` };
  }
  const ok = end.exitCode !== null && job.successCodes.includes(end.exitCode);
  return { state: ok ? "succeeded" : "failed", error: null };
}

/**
 * Whether the job restarts by its `restart` policy after an attempt ended in `state`, and after what
 * delay (restart_delay, doubled per restart, at most 30 s); null when it does not.
 */
export function nextRestart(
  job: Pick<Job, "restart" | "maxRestarts" | "restartDelayMs">,
  state: AttemptState,
  restartsSoFar: number,
): { delayMs: number } | null {
  if (state === "stopped" || restartsSoFar >= job.maxRestarts) return null;
  if (job.restart === "never" || (job.restart === "on-failure" && state === "succeeded")) return null;
  return { delayMs: Math.min(job.restartDelayMs * 2 ** restartsSoFar, MAX_RESTART_DELAY_MS) };
}
