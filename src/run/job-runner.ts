// Supervises one job: its attempts, output, timeout, ready and health probes, stop escalation and
// restarts. It reports through RunnerContext and never decides what runs next (the scheduler does).
//
// One attempt:
//
//   launch ──▶ running ──exit──▶ draining (≤ 100 ms) ──▶ exited ──▶ restart after a delay, or ended
//                 │
//                 └─ stop(reason): stop_signal to the group ─ kill_timeout ─▶ SIGKILL to the group
import type { EndState, RunEvent, StopReason } from "../events.js";
import { expandCheck } from "../graph/check.js";
import type { Job } from "../graph/types.js";
import { formatMs } from "../load/duration.js";
import { expandAtStart, jobArgv } from "./argv.js";
import type { EnvBuilder } from "./env.js";
import { forEachLine, LineSplitter } from "./lines.js";
import { type ProbeHost, watchHealth, watchReady } from "./probe-watch.js";
import { type ChildHandle, type ExitInfo, groupExists, signalGroup, spawnChild } from "./process/spawn.js";

/** How long a finished job's output pipes may stay open (a background child holding them) before it ends anyway. */
const DRAIN_GRACE_MS = 100;
const MAX_RESTART_DELAY_MS = 30_000;

type Event = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, "time"> : never) : never;

export interface RunnerContext {
  readonly runId: string;
  readonly env: EnvBuilder;
  emit(e: Event): void;
  started(job: Job, ready: boolean): void;
  ready(job: Job): void;
  ended(job: Job, state: Exclude<EndState, "skipped">): void;
  /** A new process group exists (for cleanup at the end of the run). */
  track(pgid: number, job: Job): void;
  /** The job's process in that group has ended and its output is drained. */
  settled(pgid: number): void;
  /** Whether a group whose leader has exited is still provably the run's (ids are reused). */
  ownsGroup(pgid: number): boolean;
  /** The run is ending: no restarts. */
  readonly ending: boolean;
}

export class JobRunner {
  private attempt = 0;
  private restarts = 0;
  private child: ChildHandle | undefined;
  private exitedPromise: Promise<void> = Promise.resolve();
  private alive = false;
  private stopReason: StopReason | null = null;
  private failure: string | null = null;
  private timedOut = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private restartTimer: NodeJS.Timeout | undefined;
  private logMatch: ((line: string) => void) | null = null;
  private result: { value?: unknown; error?: string } = {};
  private streams: NodeJS.ReadableStream[] = [];
  private done = false;

  constructor(
    readonly job: Job,
    private readonly ctx: RunnerContext,
  ) {}

  get running(): boolean {
    return this.alive;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.attempt++;
    this.stopReason = null;
    this.failure = null;
    this.timedOut = false;
    this.result = {};
    const started = Date.now();
    const env = this.ctx.env.forJob(this.job, this.attempt);
    if (!env.ok) {
      this.failure = env.error;
      void this.finishAttempt({ exitCode: null, signal: null }, started, null);
      return;
    }
    const argv = jobArgv(this.job, env.env, this.ctx.runId);
    const child = spawnChild({ argv, cwd: this.job.cwd, env: env.env, ipc: this.job.target !== null });
    this.child = child;
    if (child.pid === undefined) {
      void child.exited.then((info) => this.finishAttempt(info, started, null));
      return;
    }
    const pid = child.pid;
    this.alive = true;
    this.ctx.track(pid, this.job);
    this.ctx.emit({ type: "job:start", job: this.job.name, pid, attempt: this.attempt, argv });
    if (this.job.target) child.onMessage((m) => this.onTargetMessage(m));
    const drained = this.wireOutput(child);
    this.exitedPromise = child.exited.then(async (info) => {
      this.alive = false;
      this.clearTimers();
      await drained;
      this.ctx.settled(pid);
      await this.finishAttempt(info, started, pid);
    });
    if (this.job.timeoutMs !== null) this.after(this.job.timeoutMs, () => this.onTimeout());
    this.ctx.started(this.job, this.job.ready === null);
    this.watch(env.env);
  }

  /** Stops the job gracefully: stop_signal to its group, then SIGKILL after kill_timeout. Resolves once it exited. */
  stop(reason: StopReason): Promise<void> {
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      this.end("stopped");
      return Promise.resolve();
    }
    if (!this.alive) return this.exitedPromise;
    if (this.stopReason) return this.exitedPromise;
    this.stopReason = reason;
    const pid = this.child!.pid!;
    signalGroup(pid, this.job.stopSignal);
    this.ctx.emit({ type: "job:stop", job: this.job.name, signal: this.job.stopSignal, reason });
    const grace = setTimeout(() => {
      if (this.alive) {
        this.ctx.emit({ type: "job:stop", job: this.job.name, signal: "SIGKILL", reason });
        signalGroup(pid, "SIGKILL");
      } else if (this.ctx.ownsGroup(pid)) signalGroup(pid, "SIGKILL");
    }, this.job.killTimeoutMs);
    // Members of the group that outlive the main process still get SIGKILL when the grace ends.
    void this.exitedPromise.then(() => {
      if (!groupExists(pid)) clearTimeout(grace);
    });
    return this.exitedPromise;
  }

  /** Kills the job's group at once (a second interrupt). */
  kill(): void {
    if (this.restartTimer) void this.stop("interrupt");
    if (!this.alive) return;
    this.stopReason ??= "interrupt";
    this.ctx.emit({ type: "job:stop", job: this.job.name, signal: "SIGKILL", reason: this.stopReason });
    signalGroup(this.child!.pid, "SIGKILL");
  }

  /** Stops reading output (backpressure) or reads again. */
  pause(paused: boolean): void {
    for (const s of this.streams) paused ? s.pause() : s.resume();
  }

  /** A leftover child still holds the output pipes of the job's last attempt open. */
  get holdsOutput(): boolean {
    return this.streams.length > 0;
  }

  /** Detaches from output pipes still held open by leftover children (at the end of the run). */
  release(): void {
    for (const s of this.streams) (s as NodeJS.ReadableStream & { destroy(): void }).destroy();
    this.streams = [];
  }

  // --- one attempt ---------------------------------------------------------------------------

  /** The host the job's probes work through. */
  private probeHost(env: Record<string, string>): ProbeHost {
    const self = this;
    return {
      get alive() {
        return self.alive;
      },
      cwd: this.job.cwd,
      env,
      after: (ms, fn) => this.after(ms, fn),
      matchLines: (matcher) => {
        this.logMatch = matcher;
      },
      health: (ok, message) => this.ctx.emit({ type: "job:health", job: this.job.name, ok, message }),
      fail: (reason, message) => {
        this.failure = message;
        this.stopFor(reason);
      },
    };
  }

  private watch(env: Record<string, string>) {
    const { ready, health } = this.job;
    if (!ready && !health) return;
    const expand = (value: string) => expandAtStart(value, env, this.ctx.runId);
    const host = this.probeHost(env);
    const watchHealthToo = () => {
      if (health) watchHealth(host, { ...health, check: expandCheck(health.check, expand) });
    };
    if (!ready) return watchHealthToo();
    watchReady(host, { ...ready, check: expandCheck(ready.check, expand) }, () => {
      this.ctx.emit({ type: "job:ready", job: this.job.name });
      this.ctx.ready(this.job);
      watchHealthToo();
    });
  }

  /** Splits both streams into lines; resolves when both ended, or DRAIN_GRACE_MS after the process exited. */
  private wireOutput(child: ChildHandle): Promise<void> {
    const name = this.job.name;
    let open = 2;
    let allEnded!: () => void;
    const ended = new Promise<void>((resolve) => {
      allEnded = () => {
        if (this.streams[0] === child.stdout) this.streams = []; // nothing left to release
        resolve();
      };
    });
    this.streams = [child.stdout, child.stderr];
    for (const stream of ["stdout", "stderr"] as const) {
      const splitter = new LineSplitter((data) => {
        this.ctx.emit({ type: "job:output", job: name, stream, data });
        if (this.logMatch) forEachLine(data, (line) => this.logMatch?.(line.toString()));
      });
      const s = child[stream];
      s.on("data", (chunk: Buffer) => splitter.push(chunk));
      s.once("end", () => {
        splitter.end();
        if (--open === 0) allEnded();
      });
      s.once("error", () => {
        if (--open === 0) allEnded();
      });
    }
    return child.exited.then(() => {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, DRAIN_GRACE_MS);
      });
      return Promise.race([ended, grace]).then(() => clearTimeout(timer));
    });
  }

  private async finishAttempt(info: ExitInfo, started: number, pid: number | null) {
    this.clearTimers();
    const job = this.job;
    let state: Exclude<EndState, "skipped">;
    const byRun =
      this.stopReason === "daemon-done" ||
      this.stopReason === "fail-fast" ||
      this.stopReason === "interrupt" ||
      this.stopReason === "parent-exit" ||
      this.stopReason === "run-timeout";
    let error = info.error ?? this.failure ?? this.result.error;
    if (byRun) state = "stopped";
    else if (this.timedOut) state = "timed_out";
    else if (error) state = "failed";
    else if (job.daemon) {
      state = "failed";
      error = `daemon exited before the work was done (${info.signal ? `signal ${info.signal}` : `exit code ${info.exitCode}`})`;
    } else
      state = info.exitCode !== null && job.successCodes.includes(info.exitCode) ? "succeeded" : "failed";
    this.ctx.emit({
      type: "job:exit",
      job: job.name,
      pid,
      attempt: this.attempt,
      exitCode: info.exitCode,
      signal: info.signal,
      durationMs: Date.now() - started,
      state,
      ...(error ? { error } : {}),
      ...(job.target && "value" in this.result ? { result: this.result.value } : {}),
    });
    const wantsRestart =
      state !== "stopped" &&
      !this.ctx.ending &&
      this.restarts < job.maxRestarts &&
      (job.restart === "always" || (job.restart === "on-failure" && state !== "succeeded"));
    if (!wantsRestart) return this.end(state);
    const delayMs = Math.min(job.restartDelayMs * 2 ** this.restarts, MAX_RESTART_DELAY_MS);
    this.restarts++;
    this.ctx.emit({ type: "job:restart", job: job.name, attempt: this.attempt + 1, delayMs });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.ctx.ending) this.end(job.daemon ? "stopped" : state);
      else this.start();
    }, delayMs);
  }

  private end(state: Exclude<EndState, "skipped">) {
    if (this.done) return;
    this.done = true;
    this.ctx.ended(this.job, state);
  }

  private onTimeout() {
    this.timedOut = true;
    this.failure = `timed out after ${formatMs(this.job.timeoutMs!)}`;
    void this.stopFor("timeout");
  }

  /** A stop decided by the job's own supervision (timeout, probes): counts as the job's failure, not the run's stop. */
  private stopFor(reason: StopReason) {
    if (!this.alive || this.stopReason) return;
    void this.stop(reason);
  }

  private onTargetMessage(m: unknown) {
    const msg = m as { procflow?: string; value?: unknown; message?: string };
    if (msg?.procflow === "result") this.result = { value: msg.value };
    else if (msg?.procflow === "error") this.result = { error: msg.message ?? "failed" };
  }

  private after(ms: number, fn: () => void) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private clearTimers() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.logMatch = null;
  }
}
