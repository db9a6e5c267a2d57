// One attempt of a job: its live (or just exited) process and its supervision — the job's timeout,
// ready probe and health checks. Its timers end with it, so nothing keeps a finished run alive.
import type { StopReason } from "../events.js";
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
  /** What happens once the attempt is over: the job ends (or restarts by policy), or it parks for a requested restart. */
  next: "end" | "park";
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
