// The executor: turns a JobGraph into processes. It drives the scheduler's decisions, one JobRunner
// per job, daemon shutdown, failure policies, signals and the run's time limit, and emits the run's
// events, in one total order, to the reporters.
import { randomUUID } from "node:crypto";
import { availableParallelism } from "node:os";
import type { EndState, Reporter, RunEvent, RunState, StopReason } from "../events.js";
import type { Job, JobGraph } from "../graph/types.js";
import { registerRun } from "./active.js";
import { EnvBuilder } from "./env.js";
import { JobRunner, type RunnerContext } from "./job-runner.js";
import { Reaper } from "./process/reaper.js";
import { type Policy, Scheduler, type Skip } from "./scheduler.js";

export interface RunOptions {
  /** Run only these jobs (names or instance names) and what they need. */
  readonly only?: readonly string[];
  readonly concurrency?: number;
  readonly policy?: Policy;
  /** Limit for the whole run. */
  readonly timeoutMs?: number;
  /** `--env` values, over the file's. */
  readonly env?: Readonly<Record<string, string>>;
  /** procflow's own output is coloured (children then get FORCE_COLOR=1). */
  readonly color?: boolean;
  readonly reporters: readonly Reporter[];
  /** Handle SIGINT/SIGTERM/SIGHUP (the CLI does; embedders may not want it). */
  readonly handleSignals?: boolean;
  /** Called when a reporter's output is backed up (true) or drained (false). */
  readonly onBackpressure?: (listener: (paused: boolean) => void) => void;
}

export interface RunResult {
  readonly state: RunState;
  readonly exitCode: number;
  readonly jobs: Readonly<Record<string, EndState>>;
}

const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** The instances to run for `only`: each named job (all instances of a matrix job) and, transitively, what it needs. */
export function selectJobs(
  graph: JobGraph,
  only: readonly string[],
): { selected: Set<string>; unknown: string[] } {
  const byName = new Map(graph.jobs.map((j) => [j.name, j]));
  const selected = new Set<string>();
  const unknown: string[] = [];
  const stack: Job[] = [];
  for (const name of only) {
    const instances =
      graph.families[name]?.map((n) => byName.get(n)!) ?? (byName.has(name) ? [byName.get(name)!] : []);
    if (instances.length === 0) unknown.push(name);
    stack.push(...instances);
  }
  while (stack.length > 0) {
    const job = stack.pop()!;
    if (selected.has(job.name)) continue;
    selected.add(job.name);
    for (const need of job.needs) for (const n of graph.families[need.job] ?? []) stack.push(byName.get(n)!);
  }
  return { selected, unknown };
}

export async function runGraph(graph: JobGraph, opts: RunOptions): Promise<RunResult> {
  return new Execution(graph, opts).run();
}

class Execution {
  private readonly runId = randomUUID();
  private readonly startedAt = Date.now();
  private readonly scheduler: Scheduler;
  /** Runners of jobs that have not ended yet. */
  private readonly runners = new Map<string, JobRunner>();
  /** Runners whose output pipes may still be open (see release()). */
  private readonly allRunners = new Set<JobRunner>();
  private readonly reaper = new Reaper(this.runId);
  private readonly ctx: RunnerContext;
  private ending = false;
  private interruptedBy: NodeJS.Signals | null = null;
  private timedOut = false;
  private daemonsStopping = false;
  private failedFast = false;
  private finished!: (r: RunResult) => void;
  private finalizing = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly graph: JobGraph,
    private readonly opts: RunOptions,
  ) {
    const selected = opts.only && opts.only.length > 0 ? selectJobs(graph, opts.only).selected : null;
    const concurrency = opts.concurrency ?? graph.concurrency ?? availableParallelism();
    this.scheduler = new Scheduler(graph, selected, concurrency, opts.policy ?? "finish");
    const env = new EnvBuilder({
      base: process.env,
      overrides: opts.env ?? {},
      runId: this.runId,
      file: graph.file,
      color: opts.color ?? false,
    });
    const self = this;
    this.ctx = {
      runId: this.runId,
      env,
      emit: (e) => this.emit({ ...e, time: Date.now() } as RunEvent),
      started: (job, ready) => this.apply(this.scheduler.started(job.name, ready)),
      ready: (job) => this.apply(this.scheduler.ready(job.name)),
      ended: (job, state) => this.onEnded(job, state),
      track: (pgid, job) => this.reaper.track(pgid, job.stopSignal, job.killTimeoutMs),
      settled: (pgid) => this.reaper.settled(pgid),
      ownsGroup: (pgid) => this.reaper.owns(pgid),
      get ending() {
        return self.ending;
      },
    };
  }

  run(): Promise<RunResult> {
    const done = new Promise<RunResult>((resolve) => {
      this.finished = resolve;
    });
    this.reaper.start(this.opts.handleSignals === true);
    this.cleanups.push(
      registerRun(async () => {
        for (const r of this.runners.values()) r.kill();
        await this.reaper.killAll();
        this.reaper.close();
      }),
    );
    const crashAfter = process.env.PROCFLOW_DEBUG_CRASH;
    if (crashAfter) {
      // A test hook: simulates a bug in procflow this many ms into the run.
      const t = setTimeout(() => {
        throw new Error("simulated internal error (PROCFLOW_DEBUG_CRASH)");
      }, Number(crashAfter));
      this.cleanups.push(() => clearTimeout(t));
    }
    if (this.opts.handleSignals) this.installSignalHandlers();
    if (this.opts.timeoutMs !== undefined) {
      const t = setTimeout(() => this.onRunTimeout(), this.opts.timeoutMs);
      this.cleanups.push(() => clearTimeout(t));
    }
    this.opts.onBackpressure?.((paused) => {
      for (const r of this.runners.values()) r.pause(paused);
    });
    this.emit({
      type: "run:start",
      time: Date.now(),
      runId: this.runId,
      file: this.graph.file,
      pid: process.pid,
      jobs: this.scheduler.plan,
    });
    this.apply(this.scheduler.begin());
    this.checkDone();
    return done;
  }

  private emit(e: RunEvent) {
    for (const r of this.opts.reporters) r.event(e);
  }

  /** Emits skips, then starts what can start. */
  private apply(skips: readonly Skip[]) {
    for (const s of skips) this.emit({ type: "job:skip", time: Date.now(), job: s.job, reason: s.reason });
    for (const job of this.scheduler.next()) {
      const runner = new JobRunner(job, this.ctx);
      this.runners.set(job.name, runner);
      this.allRunners.add(runner);
      runner.start();
    }
    if (this.scheduler.workDone && !this.daemonsStopping) this.stopDaemons();
    this.checkDone();
  }

  private onEnded(job: Job, state: Exclude<EndState, "skipped">) {
    const runner = this.runners.get(job.name);
    this.runners.delete(job.name);
    // Kept to the end of the run only to release pipes that leftover children hold open.
    if (runner && !runner.holdsOutput) this.allRunners.delete(runner);
    const skips = this.scheduler.ended(job.name, state);
    if (this.scheduler.failFastTriggered && !this.failedFast) {
      this.failedFast = true;
      for (const r of this.runners.values()) if (!r.job.daemon) void r.stop("fail-fast");
    }
    this.apply(skips);
  }

  /** Every non-daemon job has ended: stop the daemons, those that others need last. */
  private stopDaemons() {
    this.daemonsStopping = true;
    this.ending = true;
    this.apply(this.scheduler.dropIdleDaemons());
    const reason = this.interruptedBy ? "interrupt" : this.timedOut ? "run-timeout" : "daemon-done";
    void this.stopInOrder([...this.runners.values()], reason);
  }

  /** Stops runners gracefully, each once no other runner being stopped needs it. */
  private async stopInOrder(runners: JobRunner[], reason: StopReason) {
    const pending = new Set(runners);
    while (pending.size > 0) {
      const wave = [...pending].filter(
        (r) => ![...pending].some((o) => o !== r && o.job.needs.some((n) => n.job === r.job.family)),
      );
      const batch = wave.length > 0 ? wave : [...pending];
      await Promise.all(batch.map((r) => r.stop(reason)));
      for (const r of batch) pending.delete(r);
    }
  }

  private interrupt(reason: StopReason, why: string) {
    this.ending = true;
    this.apply(this.scheduler.interrupt(why));
    void this.stopInOrder([...this.runners.values()], reason);
  }

  private onRunTimeout() {
    if (this.finalizing || this.interruptedBy) return;
    this.timedOut = true;
    this.interrupt("run-timeout", "the run's time limit expired");
  }

  private installSignalHandlers() {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.interruptedBy) {
        // A second signal: kill everything at once.
        for (const r of this.runners.values()) r.kill();
        void this.reaper.killAll();
        return;
      }
      this.interruptedBy = signal;
      if (!this.finalizing) this.interrupt("interrupt", `interrupted by ${signal}`);
    };
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.on(s, onSignal);
      this.cleanups.push(() => process.off(s, onSignal));
    }
  }

  private checkDone() {
    if (this.finalizing || this.runners.size > 0) return;
    const states = this.scheduler.endStates();
    if (Object.keys(states).length < this.scheduler.plan.length) return;
    this.finalizing = true;
    void this.finalize(states);
  }

  private async finalize(states: Record<string, EndState>) {
    await this.reaper.cleanup();
    this.reaper.close();
    for (const r of this.allRunners) r.release();
    const exitCode = this.interruptedBy
      ? SIGNAL_EXIT[this.interruptedBy]!
      : this.timedOut
        ? 124
        : this.scheduler.failed
          ? 1
          : 0;
    const state: RunState = this.interruptedBy ? "interrupted" : exitCode === 0 ? "succeeded" : "failed";
    this.emit({
      type: "run:end",
      time: Date.now(),
      state,
      exitCode,
      durationMs: Date.now() - this.startedAt,
      jobs: states,
    });
    for (const c of this.cleanups) c();
    await Promise.all(this.opts.reporters.map((r) => r.close?.()));
    this.finished({ state, exitCode, jobs: states });
  }
}
