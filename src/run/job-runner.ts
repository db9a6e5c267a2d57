// Supervises one job: its attempts, output, timeout, ready and health probes, stop escalation and
// restarts. It reports through RunnerContext and never decides what runs next (the scheduler does).
//
// A job's phases (one `Phase` value; every change goes through `to()`):
//
//   idle ──start──▶ running ──process exits──▶ draining ──pipes closed (≤ 100 ms)──▶ attempt over:
//    ▲                 │                                                   ├─ policy restart ─▶ restarting ─delay─▶ running
//    │                 └─ stop(reason): stop_signal to the group,           ├─ stop for a restart ─▶ (group gone) idle
//    │                    SIGKILL after kill_timeout                        └─ otherwise ─▶ ended
//    └───────── start (a restart on request, or a rerun once needs hold again) ─────────────┘
//
// A cacheable job (SPEC §13) passes through `checking` first: idle ──start──▶ checking ──▶ running,
// or, when the cache holds its fingerprint, checking ──outputs restored, lines replayed──▶ ended (cached).
import type { AttemptState, RestartReason, StopReason } from "../events.js";
import { expand } from "../expr/template.js";
import type { Job } from "../graph/types.js";
import { jobArgv } from "./argv.js";
import {
  type Attempt,
  endSupervision,
  escalate,
  exitEvent,
  identity,
  type OnRequest,
  onTargetMessage,
  supervise,
  supervised,
} from "./attempt.js";
import { cachedEvents, keep, type Storing, startStoring } from "./cache-hook.js";
import { type OutputWiring, wireOutput } from "./job-output.js";
import { classifyExit, nextRestart } from "./lifecycle.js";
import { attemptGone } from "./process/gone.js";
import { type ExitInfo, signalGroup, spawnChild } from "./process/spawn.js";
import type { RunnerContext } from "./runner-context.js";

type Phase =
  | { readonly id: "idle" }
  | { readonly id: "checking" }
  | { readonly id: "running"; readonly attempt: Attempt }
  | { readonly id: "draining"; readonly attempt: Attempt }
  | { readonly id: "restarting"; readonly timer: NodeJS.Timeout; readonly state: AttemptState }
  | { readonly id: "ended"; readonly state: AttemptState | "cached" };

export class JobRunner {
  private phase: Phase = { id: "idle" };
  /** Attempts so far (they count on across restarts of every kind). */
  private attempts: number;
  /** Restarts by policy since the job last started on request. */
  private restarts = 0;
  /** The output pipes of the last attempt, which a leftover child may hold open. */
  private lastOutput: OutputWiring | null = null;

  constructor(
    readonly job: Job,
    private readonly ctx: RunnerContext,
    attemptsSoFar = 0,
  ) {
    this.attempts = attemptsSoFar;
  }

  get attempt(): number {
    return this.attempts;
  }

  get pid(): number | undefined {
    return this.phase.id === "running" || this.phase.id === "draining" ? this.phase.attempt.pid : undefined;
  }

  get state(): Phase["id"] {
    return this.phase.id;
  }

  /** Starts the next attempt. `onRequest`: a restart or start asked for (ctl, watch): the restart count starts over. */
  start(onRequest = false): void {
    if (this.phase.id === "running" || this.phase.id === "draining" || this.phase.id === "checking") return;
    if (this.phase.id === "restarting") clearTimeout(this.phase.timer);
    if (onRequest) this.restarts = 0;
    const cache = this.ctx.cache(this.job);
    if (!cache) {
      this.spawn(null);
      return;
    }
    // Starts on request (ctl, watch) do not read the cache; they still store.
    const checking: Phase = { id: "checking" };
    this.to(checking);
    void cache.check(onRequest ? "request" : "start").then((c) => {
      if (this.phase !== checking) return; // stopped meanwhile
      if (c?.hit) {
        for (const e of cachedEvents(this.job.name, c.fingerprint, c.hit)) this.ctx.emit(e);
        this.end("cached", false);
      } else this.spawn(c && startStoring(cache, c.fingerprint));
    });
  }

  private spawn(storing: Storing | null): void {
    const n = ++this.attempts;
    const startedAt = Date.now();
    const env = this.ctx.env.forJob(this.job, n, (value, soFar) =>
      expand(value, this.ctx.scope(this.job, soFar)),
    );
    if (!env.ok) {
      this.didNotStart(n, startedAt, { exitCode: null, signal: null, error: env.error });
      return;
    }
    const scope = this.ctx.scope(this.job, env.env);
    const made = jobArgv(this.job, scope);
    const cwd = this.job.cwd.includes("${{")
      ? expand(this.job.cwd, scope)
      : { ok: true as const, value: this.job.cwd };
    if (!made.ok || !cwd.ok) {
      const error = !made.ok ? made.error : (cwd as { error: string }).error;
      this.didNotStart(n, startedAt, { exitCode: null, signal: null, error });
      return;
    }
    const argv = made.argv;
    const resultFile = this.job.target ? null : this.ctx.resultFiles.create();
    if (resultFile) env.env.PROCFLOW_RESULT = resultFile;
    const child = spawnChild({ argv, cwd: cwd.value, env: env.env, ipc: this.job.target !== null });
    const pid = child.pid;
    if (pid === undefined) {
      void child.exited.then((info) => this.didNotStart(n, startedAt, info));
      return;
    }
    this.ctx.track(pid, this.job);
    this.ctx.emit({ type: "job:start", job: this.job.name, pid, attempt: n, argv });
    const output = wireOutput(
      child,
      (stream, data) => {
        if (storing) keep(storing, { stream, data });
        this.ctx.emit({ type: "job:output", job: this.job.name, stream, data });
      },
      () => attempt.logMatch,
    );
    let over!: () => void;
    const attempt: Attempt = {
      n,
      pid,
      startedAt,
      output,
      over: new Promise((resolve) => {
        over = resolve;
      }),
      stop: null,
      next: "end",
      failure: null,
      result: null,
      resultFile,
      timers: new Set(),
      logMatch: null,
    };
    this.lastOutput = output;
    this.to({ id: "running", attempt });
    if (this.job.target) child.onMessage((m) => onTargetMessage(attempt, m));
    void child.exited.then(async (info) => {
      this.to({ id: "draining", attempt });
      await output.drained;
      this.ctx.settled(pid);
      await this.attemptOver(attempt, info, storing);
      over();
    });
    this.ctx.started(this.job, this.job.ready === null);
    if (!supervised(this.job)) return;
    supervise(attempt, env.env, {
      job: this.job,
      expand: (value) => {
        const e = expand(value, scope);
        return e.ok ? e.value : value;
      },
      alive: (a) => this.phase.id === "running" && this.phase.attempt === a,
      stop: (reason) => void this.stop(reason),
      health: (ok, message) => this.ctx.emit({ type: "job:health", job: this.job.name, ok, message }),
      ready: () => {
        this.ctx.emit({ type: "job:ready", job: this.job.name });
        this.ctx.ready(this.job);
      },
    });
  }

  /**
   * Stops the job: stop_signal to its group, then SIGKILL after kill_timeout. Resolves once the
   * attempt is over and the job has ended (or, for a run-level stop, will not restart).
   */
  stop(reason: StopReason): Promise<void> {
    return this.halt(reason, "end");
  }

  /**
   * Stops the job for a restart on request (also while its own supervision is stopping it): once
   * nothing of the attempt is left, it waits in `idle` for `start(true)`. Resolves then.
   */
  restart(reason: OnRequest): Promise<void> {
    return this.halt(reason, reason);
  }

  private halt(reason: StopReason, next: Attempt["next"]): Promise<void> {
    const p = this.phase;
    if (p.id === "idle" || p.id === "restarting" || p.id === "checking") {
      if (p.id === "restarting") clearTimeout(p.timer);
      if (next === "end") this.end("stopped", reason === "manual");
      else if (p.id === "restarting") {
        this.announceRestart(next);
        this.park();
      } // else: already waiting for its start
      return Promise.resolve();
    }
    if (p.id === "ended") return Promise.resolve();
    const attempt = p.attempt;
    if (next === "end")
      attempt.next = "end"; // an interrupt while stopping for a restart: the job ends
    else if (attempt.next === "end" && !this.ctx.ending()) {
      attempt.next = next;
      this.ctx.restarting(this.job);
    }
    if (p.id === "draining" || attempt.stop !== null) return attempt.over;
    attempt.stop = reason;
    escalate(attempt, this.job, reason, {
      emit: (e) => this.ctx.emit(e),
      running: () => this.phase.id === "running" && this.phase.attempt === attempt,
      owns: this.ctx.ownsGroup,
    });
    return attempt.over;
  }

  /** Kills the job's group at once (a second interrupt). */
  kill(): void {
    const p = this.phase;
    if (p.id === "restarting") void this.stop("interrupt");
    if (p.id !== "running") return;
    p.attempt.stop ??= "interrupt";
    p.attempt.next = "end";
    this.ctx.emit({ type: "job:stop", job: this.job.name, signal: "SIGKILL", reason: p.attempt.stop });
    signalGroup(p.attempt.pid, "SIGKILL");
  }

  /** The output pipes of the last attempt (a leftover child may hold them open past its end). */
  get output(): OutputWiring | null {
    return this.lastOutput;
  }

  // --- transitions ---------------------------------------------------------------------------

  private to(next: Phase): void {
    // The process has exited (or never ran): its timeout and probes are over.
    if (this.phase.id === "running" && next.id !== "running") endSupervision(this.phase.attempt);
    this.phase = next;
  }

  private didNotStart(n: number, startedAt: number, info: ExitInfo): void {
    const how = classifyExit(this.job, { ...info, error: info.error ?? null, stopReason: null });
    const result = this.job.target ? null : { value: null };
    this.ctx.emit(exitEvent(this.job.name, n, null, startedAt, how, info, result));
    this.afterAttempt(how.state, "end", false);
  }

  private async attemptOver(attempt: Attempt, info: ExitInfo, storing: Storing | null): Promise<void> {
    // The group was checked once the output was drained (settled): still owned, it has members left.
    const written = attempt.resultFile
      ? this.ctx.resultFiles.take(attempt.resultFile, !this.ctx.ownsGroup(attempt.pid))
      : null;
    if (written && !written.ok) attempt.failure ??= written.error;
    const how = classifyExit(this.job, {
      exitCode: info.exitCode,
      signal: info.signal,
      error: info.error ?? attempt.failure,
      stopReason: attempt.stop,
    });
    // A result file that cannot be read fails an attempt that would have succeeded.
    const bad = written && !written.ok && how.state === "succeeded";
    const { state, error } = bad ? { state: "failed" as const, error: written.error } : how;
    // A command job's result is null when nothing was written (SPEC §14); a target's, what it returned.
    const result = this.job.target
      ? attempt.result && "value" in attempt.result
        ? attempt.result
        : null
      : { value: written?.ok ? written.value : null };
    this.ctx.emit(
      exitEvent(this.job.name, attempt.n, attempt.pid, attempt.startedAt, { state, error }, info, result),
    );
    if (storing && state === "succeeded") await storing.cache.succeeded(storing, result?.value);
    if (attempt.next !== "end") {
      this.announceRestart(attempt.next);
      await attemptGone(
        attempt.pid,
        identity(this.ctx.runId, this.job.name, attempt.n),
        this.job.killTimeoutMs,
        this.ctx.ownsGroup,
      );
    }
    // An interrupt while waiting for what was left: the job ends.
    this.afterAttempt(state, this.ctx.ending() ? "end" : attempt.next, attempt.stop === "manual");
  }

  private afterAttempt(state: AttemptState, next: Attempt["next"], manual: boolean) {
    if (next !== "end") return this.park();
    const again = this.ctx.ending() ? null : nextRestart(this.job, state, this.restarts);
    if (!again) return this.end(state, manual);
    this.restarts++;
    this.announceRestart("policy", again.delayMs);
    this.ctx.restarting(this.job);
    const timer = setTimeout(() => {
      if (this.ctx.ending()) this.end(this.job.daemon ? "stopped" : state, false);
      else this.start();
    }, again.delayMs);
    this.to({ id: "restarting", timer, state });
  }

  /** Waits for a start on request (`job:restart` has said so). */
  private park() {
    this.to({ id: "idle" });
  }

  /** Says that attempt n+1 comes (a restart by policy after its delay, or on request at once). */
  announceRestart(reason: RestartReason, delayMs = 0): void {
    this.ctx.emit({ type: "job:restart", job: this.job.name, attempt: this.attempts + 1, delayMs, reason });
  }

  private end(state: AttemptState | "cached", manual: boolean) {
    if (this.phase.id === "ended") return;
    this.to({ id: "ended", state });
    this.ctx.ended(this.job, state, manual);
  }
}
