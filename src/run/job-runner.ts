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
import type { AttemptState, RestartReason, StopReason, Unstamped } from "../events.js";
import type { Scope } from "../expr/evaluate.js";
import { expand } from "../expr/template.js";
import type { Job } from "../graph/types.js";
import { jobArgv } from "./argv.js";
import { type Attempt, endSupervision, onTargetMessage, supervise } from "./attempt.js";
import type { EnvBuilder } from "./env.js";
import { type OutputWiring, wireOutput } from "./job-output.js";
import { classifyExit, nextRestart } from "./lifecycle.js";
import { type ExitInfo, groupExists, signalGroup, spawnChild } from "./process/spawn.js";
import type { ResultFiles } from "./result-file.js";

const GROUP_POLL_MS = 25;

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
  /** The job's last attempt is over. `manual`: it was stopped on request. */
  ended(job: Job, state: AttemptState, manual: boolean): void;
  /** A new process group exists (for cleanup at the end of the run). */
  track(pgid: number, job: Job): void;
  /** The job's process in that group has ended and its output is drained. */
  settled(pgid: number): void;
  /** Whether a group whose leader has exited is still provably the run's (ids are reused). */
  ownsGroup(pgid: number): boolean;
  /** The run is ending: no restarts. */
  ending(): boolean;
}

type Phase =
  | { readonly id: "idle" }
  | { readonly id: "running"; readonly attempt: Attempt }
  | { readonly id: "draining"; readonly attempt: Attempt }
  | { readonly id: "restarting"; readonly timer: NodeJS.Timeout; readonly state: AttemptState }
  | { readonly id: "ended"; readonly state: AttemptState };

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
    if (this.phase.id === "running" || this.phase.id === "draining") return;
    if (this.phase.id === "restarting") clearTimeout(this.phase.timer);
    if (onRequest) this.restarts = 0;
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
    if (!made.ok) {
      this.didNotStart(n, startedAt, { exitCode: null, signal: null, error: made.error });
      return;
    }
    const argv = made.argv;
    const resultFile = this.job.target ? null : this.ctx.resultFiles.create();
    if (resultFile) env.env.PROCFLOW_RESULT = resultFile;
    const child = spawnChild({ argv, cwd: this.job.cwd, env: env.env, ipc: this.job.target !== null });
    const pid = child.pid;
    if (pid === undefined) {
      void child.exited.then((info) => this.didNotStart(n, startedAt, info));
      return;
    }
    this.ctx.track(pid, this.job);
    this.ctx.emit({ type: "job:start", job: this.job.name, pid, attempt: n, argv });
    const output = wireOutput(
      child,
      (stream, data) => this.ctx.emit({ type: "job:output", job: this.job.name, stream, data }),
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
      await this.attemptOver(attempt, info);
      over();
    });
    this.ctx.started(this.job, this.job.ready === null);
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
   * attempt is over. `then: "park"` stops it for a restart on request: once no process of its group
   * is left, it waits in `idle` for `start(true)`.
   */
  stop(reason: StopReason, then: "end" | "park" = "end"): Promise<void> {
    const p = this.phase;
    if (p.id === "idle" || p.id === "restarting") {
      if (p.id === "restarting") clearTimeout(p.timer);
      if (then === "park") this.park();
      else this.end("stopped", reason === "manual");
      return Promise.resolve();
    }
    if (p.id === "ended") return Promise.resolve();
    const attempt = p.attempt;
    // An interrupt while stopping for a restart: the job ends instead.
    if (then === "end") attempt.next = "end";
    else if (attempt.next === "end" && attempt.stop === null) {
      attempt.next = "park";
      this.ctx.restarting(this.job);
    }
    if (p.id === "draining" || attempt.stop !== null) return attempt.over;
    attempt.stop = reason;
    signalGroup(attempt.pid, this.job.stopSignal);
    this.ctx.emit({ type: "job:stop", job: this.job.name, signal: this.job.stopSignal, reason });
    const grace = setTimeout(() => {
      if (this.phase.id === "running" && this.phase.attempt === attempt) {
        this.ctx.emit({ type: "job:stop", job: this.job.name, signal: "SIGKILL", reason });
        signalGroup(attempt.pid, "SIGKILL");
      } else if (this.ctx.ownsGroup(attempt.pid)) signalGroup(attempt.pid, "SIGKILL");
    }, this.job.killTimeoutMs);
    // Members of the group that outlive the main process still get SIGKILL when the grace ends.
    void attempt.over.then(() => {
      if (!groupExists(attempt.pid)) clearTimeout(grace);
    });
    return attempt.over;
  }

  /** Stops the job for a restart on request and says so; it then waits for `start(true)`. */
  restart(reason: Extract<StopReason, "manual" | "watch">): Promise<void> {
    return this.stop(reason, "park");
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

  /** Stops reading output (backpressure) or reads again. */
  pause(paused: boolean): void {
    this.lastOutput?.pause(paused);
  }

  /** A leftover child still holds the output pipes of the job's last attempt open. */
  get holdsOutput(): boolean {
    return this.lastOutput?.open ?? false;
  }

  /** Detaches from output pipes still held open by leftover children (at the end of the run). */
  release(): void {
    this.lastOutput?.release();
  }

  // --- transitions ---------------------------------------------------------------------------

  private to(next: Phase): void {
    // The process has exited (or never ran): its timeout and probes are over.
    if (this.phase.id === "running" && next.id !== "running") endSupervision(this.phase.attempt);
    this.phase = next;
  }

  private didNotStart(n: number, startedAt: number, info: ExitInfo): void {
    const how = classifyExit(this.job, { ...info, error: info.error ?? null, stopReason: null });
    this.emitExit(n, null, startedAt, how, info);
    this.afterAttempt(how.state, "end", false);
  }

  private async attemptOver(attempt: Attempt, info: ExitInfo): Promise<void> {
    const written = attempt.resultFile ? this.ctx.resultFiles.take(attempt.resultFile) : null;
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
    const result = this.job.target
      ? attempt.result && "value" in attempt.result
        ? attempt.result
        : null
      : written?.ok && written.value !== null
        ? { value: written.value }
        : null;
    this.emitExit(attempt.n, attempt.pid, attempt.startedAt, { state, error }, info, result);
    if (attempt.next === "park") await this.groupGone(attempt.pid);
    this.afterAttempt(state, attempt.next, attempt.stop === "manual");
  }

  private emitExit(
    n: number,
    pid: number | null,
    startedAt: number,
    how: { state: AttemptState; error: string | null },
    info: ExitInfo,
    result: { value?: unknown } | null = null,
  ) {
    this.ctx.emit({
      type: "job:exit",
      job: this.job.name,
      pid,
      attempt: n,
      exitCode: info.exitCode,
      signal: info.signal,
      durationMs: Date.now() - startedAt,
      state: how.state,
      ...(how.error ? { error: how.error } : {}),
      ...(result ? { result: result.value } : {}),
    });
  }

  private afterAttempt(state: AttemptState, then: "end" | "park", manual: boolean) {
    if (then === "park") return this.park();
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

  private park() {
    this.to({ id: "idle" });
  }

  /** Says that attempt n+1 comes (a restart by policy after its delay, or on request at once). */
  announceRestart(reason: RestartReason, delayMs = 0): void {
    this.ctx.emit({ type: "job:restart", job: this.job.name, attempt: this.attempts + 1, delayMs, reason });
  }

  private end(state: AttemptState, manual: boolean) {
    if (this.phase.id === "ended") return;
    this.to({ id: "ended", state });
    this.ctx.ended(this.job, state, manual);
  }

  /** Waits until no process of the group is left (SIGKILL once the grace has run out). */
  private async groupGone(pgid: number): Promise<void> {
    const killAt = Date.now() + this.job.killTimeoutMs;
    while (this.ctx.ownsGroup(pgid)) {
      if (Date.now() >= killAt) signalGroup(pgid, "SIGKILL");
      await new Promise((r) => setTimeout(r, GROUP_POLL_MS));
    }
  }
}
