// One attempt of a job: its live (or just exited) process and its supervision — the job's timeout,
// ready probe and health checks. Its timers end with it, so nothing keeps a finished run alive.
import type { AttemptState, StopReason, Unstamped } from "../events.js";
import { type ExitInfo, groupExists, signalGroup } from "./process/spawn.js";

/** Why a job restarts on request: `ctl` (or a key, the web view), or a file change. */
export type OnRequest = "manual" | "watch";

import { expandCheck } from "../graph/check.js";
import type { Job } from "../graph/types.js";
import { formatMs } from "../load/duration.js";
import type { OutputWiring } from "./job-output.js";
import { type ProbeHost, watchHealth, watchReady } from "./probe-watch.js";

export interface Attempt {
  readonly n: number;
  readonly pid: number;
  readonly startedAt: number;
  readonly output: OutputWiring;
  /** Settles when the attempt is over (job:exit sent). */
  readonly over: Promise<void>;
  /** The stop signal was sent, and why. */
  stop: StopReason | null;
  /**
   * What happens once the attempt is over: the job ends (or restarts by policy), or, stopped for a
   * restart on request (`manual`, `watch`), it waits for its next start once nothing of it is left.
   */
  next: "end" | OnRequest;
  /** Why supervision failed it (timeout, probe, target error). */
  failure: string | null;
  /** A target's return value. */
  result: { value?: unknown } | null;
  /** A command job's PROCFLOW_RESULT file. */
  readonly resultFile: string | null;
  timers: Set<NodeJS.Timeout>;
  /** Offered every output line while a `log` probe listens. */
  logMatch: ((line: string) => void) | null;
}

/** What supervision needs from the runner. */
export interface Supervisor {
  readonly job: Job;
  /** A probe field with its expressions evaluated. */
  expand(value: string): string;
  /** The attempt's process is running (not exited, not replaced). */
  alive(attempt: Attempt): boolean;
  /** Stops the job for a reason of its own supervision (it then counts as failed or timed out). */
  stop(reason: StopReason): void;
  health(ok: boolean, message: string): void;
  /** The ready probe passed. */
  ready(): void;
}

/** Whether the job has anything to supervise: a timeout, a ready probe or health checks. */
export const supervised = (job: Job): boolean =>
  job.timeoutMs !== null || job.ready !== null || job.health !== null;

/** Starts the attempt's timeout and probes. */
export function supervise(attempt: Attempt, env: Record<string, string>, sup: Supervisor): void {
  const { job } = sup;
  const fail = (reason: StopReason, message: string) => {
    if (!sup.alive(attempt) || attempt.stop) return;
    attempt.failure = message;
    sup.stop(reason);
  };
  if (job.timeoutMs !== null) {
    const ms = job.timeoutMs;
    after(attempt, ms, () => fail("timeout", `timed out after ${formatMs(ms)}`));
  }
  const { ready, health } = job;
  if (!ready && !health) return;
  const expand = (value: string) => sup.expand(value);
  const host: ProbeHost = {
    get alive() {
      return sup.alive(attempt);
    },
    cwd: job.cwd,
    env,
    after: (ms, fn) => after(attempt, ms, fn),
    matchLines: (matcher) => {
      attempt.logMatch = matcher;
    },
    health: (ok, message) => sup.health(ok, message),
    fail,
  };
  const watchHealthToo = () => {
    if (health) watchHealth(host, { ...health, check: expandCheck(health.check, expand) });
  };
  if (!ready) {
    watchHealthToo();
    return;
  }
  watchReady(host, { ...ready, check: expandCheck(ready.check, expand) }, () => {
    if (attempt.stop !== null) return; // being stopped: it does not become ready now
    sup.ready();
    watchHealthToo();
  });
}

/** The process has exited (or was replaced): its timeout and probes are over. */
export function endSupervision(attempt: Attempt): void {
  for (const t of attempt.timers) clearTimeout(t);
  attempt.timers.clear();
  attempt.logMatch = null;
}

/** A message from a target's bootstrap over IPC: its result, or the error it threw. */
export function onTargetMessage(attempt: Attempt, m: unknown): void {
  const msg = m as { procflow?: string; value?: unknown; message?: string };
  if (msg?.procflow === "result") attempt.result = { value: msg.value };
  else if (msg?.procflow === "error") attempt.failure = msg.message ?? "failed";
}

function after(attempt: Attempt, ms: number, fn: () => void) {
  const t = setTimeout(() => {
    attempt.timers.delete(t);
    fn();
  }, ms);
  attempt.timers.add(t);
}

/** The `job:exit` event of an attempt (`pid` null: it never started). */
export function exitEvent(
  job: string,
  n: number,
  pid: number | null,
  startedAt: number,
  how: { state: AttemptState; error: string | null },
  info: ExitInfo,
  result: { value?: unknown } | null = null,
): Unstamped {
  return {
    type: "job:exit",
    job,
    pid,
    attempt: n,
    exitCode: info.exitCode,
    signal: info.signal,
    durationMs: Date.now() - startedAt,
    state: how.state,
    ...(how.error ? { error: how.error } : {}),
    ...(result ? { result: result.value } : {}),
  };
}

/** What every process of an attempt carries in its environment (see env.ts): found by it even out of its group. */
export const identity = (runId: string, job: string, n: number): string[] => [
  `PROCFLOW_RUN_ID=${runId}`,
  `PROCFLOW_JOB=${job}`,
  `PROCFLOW_ATTEMPT=${n}`,
];

/**
 * Stops an attempt: its job's stop signal to the group now, SIGKILL when `kill_timeout` has passed —
 * to the main process if it still runs, else to what is left of its group.
 */
export function escalate(
  attempt: Attempt,
  job: Job,
  reason: StopReason,
  on: { emit(e: Unstamped): void; running(): boolean; owns(pgid: number): boolean },
): void {
  signalGroup(attempt.pid, job.stopSignal);
  on.emit({ type: "job:stop", job: job.name, signal: job.stopSignal, reason });
  const grace = setTimeout(() => {
    if (on.running()) {
      on.emit({ type: "job:stop", job: job.name, signal: "SIGKILL", reason });
      signalGroup(attempt.pid, "SIGKILL");
    } else if (on.owns(attempt.pid)) signalGroup(attempt.pid, "SIGKILL");
  }, job.killTimeoutMs);
  // Members of the group that outlive the main process still get SIGKILL when the grace ends.
  void attempt.over.then(() => {
    if (!groupExists(attempt.pid)) clearTimeout(grace);
  });
}
