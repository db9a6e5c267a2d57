// What a JobRunner reports to and asks of the executor: the one contract between a job's supervision
// and the run around it.
import type { AttemptState, Unstamped } from "../events.js";
import type { Scope } from "../expr/evaluate.js";
import type { Job } from "../graph/types.js";
import type { JobCache } from "./cache-hook.js";
import type { EnvBuilder } from "./env.js";
import type { ResultFiles } from "./result-file.js";

export interface RunnerContext {
  readonly runId: string;
  readonly env: EnvBuilder;
  /** The values the job's expressions see when it starts, with its environment. */
  scope(job: Job, env: Readonly<Record<string, string>>): Scope;
  /** Where command jobs write their result (PROCFLOW_RESULT). */
  readonly resultFiles: ResultFiles;
  emit(e: Unstamped): void;
  started(job: Job, ready: boolean): void;
  ready(job: Job): void;
  /** A restart is coming: until the next attempt starts, the job meets no condition. */
  restarting(job: Job): void;
  /** The job's last attempt is over, or it was cached. `manual`: it was stopped on request. */
  ended(job: Job, state: AttemptState | "cached", manual: boolean): void;
  /** The job's cache, or null when it is not cacheable (no `inputs`, or `--no-cache`). */
  cache(job: Job): JobCache | null;
  /** A new process group exists (for cleanup at the end of the run). */
  track(pgid: number, job: Job): void;
  /** The job's process in that group has ended and its output is drained. */
  settled(pgid: number): void;
  /** Whether a group whose leader has exited is still provably the run's (ids are reused). */
  ownsGroup(pgid: number): boolean;
  /** The run is ending: no restarts. */
  ending(): boolean;
}
