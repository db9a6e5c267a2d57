// The executor: turns a JobGraph into processes. It drives the scheduler's decisions, one JobRunner
// per job, daemon shutdown, failure policies, interrupts, requests (restart, stop, start, end) and
// the run's time limit, and emits the run's events, in one total order, to the reporters.
import { rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { AttemptState, EndState, RunEvent, RunState, SkipCause, StopReason } from "../events.js";
import { ExitCode, signalExitCode } from "../exit-codes.js";
import { selectJobs } from "../graph/select.js";
import type { Job, JobGraph } from "../graph/types.js";
import { registerRun } from "./active.js";
import { cacheHook } from "./cache-hook.js";
import { type Command, type CommandAnswer, Requests, type RunControl } from "./control.js";
import { EnvBuilder, loadDotenv } from "./env.js";
import { JobRunner } from "./job-runner.js";
import type { RunOptions, RunResult } from "./options.js";
import type { PickedPorts } from "./ports.js";
import { RunCgroup } from "./process/cgroup.js";
import { watchParent } from "./process/parent-watch.js";
import { Reaper } from "./process/reaper.js";
import { decide, releaseEvents } from "./release.js";
import type { Reused } from "./rerun.js";
import { ResultFiles } from "./result-file.js";
import { Results } from "./results.js";
import { newRunId } from "./run-id.js";
import type { RunnerContext } from "./runner-context.js";
import { type Release, Scheduler, type Skip } from "./scheduler.js";
import { runStartFacts } from "./start-facts.js";
import { withPorts } from "./with-ports.js";

export type { Command, CommandAnswer, RunControl, RunOptions, RunResult };

type Interrupt = Extract<SkipCause, { cause: "interrupt" }>["by"];

export async function runGraph(graph: JobGraph, opts: RunOptions): Promise<RunResult> {
  await loadDotenv(graph.jobs);
  const ports = graph.jobs.some((j) => j.ports.length > 0)
    ? await (await import("./ports.js")).pickPorts(graph.jobs)
    : null;
  return new Execution(graph, opts, ports).run();
}

class Execution {
  private readonly runId: string;
  private readonly startedAt = Date.now();
  private readonly scheduler: Scheduler;
  /** Runners of jobs that have not ended yet (a runner parked for a restart included). */
  private readonly runners = new Map<string, JobRunner>();
  /** Runners whose output pipes may still be open (see release()). */
  private readonly allRunners = new Set<JobRunner>();
  /** Attempts of jobs whose runner is gone, so that a rerun counts on. */
  private readonly attempts = new Map<string, number>();
  private readonly reaper: Reaper;
  /** The run's cgroup, which procflow is entering; only where the process is the run's (see RunOptions). */
  private readonly cgroup: RunCgroup | null;
  private readonly requests: Requests;
  /** Jobs waiting again because of a request (ctl, watch): they start as asked for, not from the cache. */
  private readonly requested = new Set<string>();
  /** What --rerun-failed reuses and has not yet (instances of a matrix built at run time come late). */
  private readonly reusable: Map<string, Reused>;
  private readonly ctx: RunnerContext;
  private ending = false;
  private interruptedBy: Interrupt | null = null;
  private daemonsStopping = false;
  private failedFast = false;
  private finished!: (r: RunResult) => void;
  private finalizing = false;
  private readonly cleanups: (() => void)[] = [];
  /** What jobs' expressions can read of the jobs they need. */
  private readonly results = new Results();
  private readonly resultFiles = new ResultFiles(process.env.PROCFLOW_RESULT);

  constructor(
    private readonly graph: JobGraph,
    private readonly opts: RunOptions,
    private readonly ports: PickedPorts | null,
  ) {
    this.runId = opts.runId ?? newRunId();
    this.reaper = new Reaper(this.runId);
    this.cgroup =
      opts.cgroup !== undefined ? opts.cgroup : opts.handleSignals ? RunCgroup.enter(this.runId) : null;
    const selected = opts.only && opts.only.length > 0 ? selectJobs(graph, opts.only).selected : null;
    const concurrency = opts.concurrency ?? graph.concurrency ?? availableParallelism();
    const keepAlive = (opts.mode ?? "run") !== "run";
    const policy = keepAlive ? "keep-going" : (opts.policy ?? "finish");
    // The graph as written stays for run:start (definitions); the jobs run with their ports filled in.
    const runnable = ports ? withPorts(graph, ports.ports) : graph;
    this.scheduler = new Scheduler(runnable, selected, concurrency, policy, keepAlive, (job) =>
      this.release(job),
    );
    const env = new EnvBuilder({
      base: process.env,
      overrides: opts.env ?? {},
      runId: this.runId,
      color: opts.color ?? false,
      ports: ports?.ports,
    });
    this.ctx = {
      runId: this.runId,
      env,
      scope: (job, vars) => this.results.scope(job, (f) => this.scheduler.members(f), vars, this.runId),
      resultFiles: this.resultFiles,
      // Stamped in place: every event is a fresh object, and a copy made by a spread would get a hidden
      // class of its own in V8 (~0.3 KB, kept for as long as the event is: the control endpoint keeps them all).
      emit: (e) => this.emit(Object.assign(e, { time: Date.now() }) as RunEvent),
      // A runner detached from the run (an instance of a matrix built again) reports to nobody.
      started: (job, ready) => this.current(job) && this.apply(this.scheduler.started(job.name, ready)),
      ready: (job) => this.current(job) && this.apply(this.scheduler.ready(job.name)),
      restarting: (job) => this.current(job) && this.scheduler.restarting(job.name),
      ended: (job, state, manual) => this.current(job) && this.onEnded(job, state, manual),
      track: (pgid, job) => this.reaper.track(pgid, job.stopSignal, job.killTimeoutMs),
      settled: (pgid) => this.reaper.settled(pgid),
      ownsGroup: (pgid) => this.reaper.owns(pgid),
      ending: () => this.ending,
      cache: cacheHook(
        graph,
        opts.cache ?? null,
        env,
        this.runId,
        opts.onWarning ?? (() => {}),
        (job, vars) => this.ctx.scope(job, vars),
      ),
    };
    this.reusable = new Map(opts.reuse);
    this.requests = new Requests(this.scheduler, runnable, {
      emit: this.ctx.emit,
      runner: (name) => this.runners.get(name),
      newRunner: (job) => this.newRunner(job),
      forget: (name) => this.forget(name),
      apply: (skips) => this.apply(skips),
      rearm: (name) => {
        this.requested.add(name);
        this.apply(this.scheduler.rearm(name));
      },
      detachFamily: (placeholder) => {
        const family = this.graph.jobs.find((j) => j.name === placeholder)?.family;
        const out: JobRunner[] = [];
        for (const [name, runner] of this.runners)
          if (name !== placeholder && runner.job.family === family) {
            this.runners.delete(name);
            this.attempts.set(name, runner.attempt);
            out.push(runner);
          }
        return out;
      },
      end: () => this.end(),
      ending: () => this.ending,
    });
  }

  run(): Promise<RunResult> {
    const done = new Promise<RunResult>((resolve) => {
      this.finished = resolve;
    });
    const { dir } = this.resultFiles;
    this.resultFiles.leave(this.opts.leftovers ?? []);
    this.reaper.start(this.cgroup, [
      ...(this.opts.leftovers ?? []),
      ...(this.ports?.files ?? []),
      ...(dir ? [dir] : []),
    ]);
    if (this.ports) this.cleanups.push(this.ports.release);
    this.cleanups.push(
      registerRun(async () => {
        for (const r of this.runners.values()) r.kill();
        await this.reaper.killAll();
        await this.reaper.close();
        // What the watchdog would have removed had procflow died: it was told "bye".
        for (const f of this.opts.leftovers ?? []) rmSync(f, { force: true });
        this.ports?.release();
        this.resultFiles.close();
      }),
    );
    if ((this.opts.mode ?? "run") !== "run") {
      // A keep-alive run waits for `end` or a signal even when nothing else keeps Node's loop alive.
      const hold = setInterval(() => {}, 2 ** 30);
      this.cleanups.push(() => clearInterval(hold));
    }
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
      const t = setTimeout(() => this.interrupt("run-timeout"), this.opts.timeoutMs);
      this.cleanups.push(() => clearTimeout(t));
    }
    this.opts.onBackpressure?.((paused) => {
      for (const r of this.runners.values()) r.output?.pause(paused);
    });
    this.emit({
      type: "run:start",
      time: Date.now(),
      runId: this.runId,
      file: this.graph.file,
      pid: process.pid,
      jobs: this.scheduler.plan,
      mode: this.opts.mode ?? "run",
      ...runStartFacts(this.graph, new Set(this.scheduler.plan), this.ports?.ports ?? {}),
      ui: this.opts.ui ?? null,
    });
    // The first job waits until procflow is inside the run's cgroup; the control endpoint opens after
    // it has started, or meanwhile if the move is still under way.
    const entered = this.cgroup?.entered;
    if (entered) void entered.then(() => this.begin());
    else this.begin();
    setImmediate(() => {
      if (!this.finalizing) this.opts.onControl?.({ runId: this.runId, command: (c) => this.command(c) });
    });
    return done;
  }

  private begin() {
    if (this.ending) return; // interrupted or ended on request before the first job
    const skips: Skip[] = [];
    for (const job of this.scheduler.plan) {
      const reused = this.reusable.get(job);
      if (!reused) continue;
      this.reusable.delete(job);
      this.emit({ type: "job:reused", time: Date.now(), job, ...reused });
      skips.push(...this.scheduler.reuse(job));
    }
    this.apply([...skips, ...this.scheduler.begin()]);
  }

  private command(c: Command): Promise<CommandAnswer> {
    if (this.finalizing) return Promise.resolve({ ok: false, code: 2, error: "the run is ending" });
    return this.requests.handle(c);
  }

  private emit(e: RunEvent) {
    if (e.type === "job:exit" || e.type === "job:cached" || e.type === "job:reused") this.results.record(e);
    for (const r of this.opts.reporters) r.event(e);
  }

  private forget(name: string) {
    const runner = this.runners.get(name);
    if (!runner) return;
    this.runners.delete(name);
    this.attempts.set(name, runner.attempt);
  }

  /** A job's needs are met: its `if` and dynamic matrix decide what becomes of it (SPEC §14). */
  private release(job: Job): Release {
    if (job.if === null && job.dynamicMatrix === null) return { to: "start" };
    const env = this.ctx.env.forJob(job, 1);
    const r = decide(job, this.ctx.scope(job, env.ok ? env.env : {}));
    for (const e of releaseEvents(job, r)) this.ctx.emit(e);
    // A matrix built again on request: its instances start as asked for too.
    if (r.to === "grow" && this.requested.delete(job.name))
      for (const j of r.jobs) this.requested.add(j.name);
    return r;
  }

  private newRunner(job: Job): JobRunner {
    const runner = new JobRunner(job, this.ctx, this.attempts.get(job.name) ?? 0);
    this.runners.set(job.name, runner);
    this.allRunners.add(runner);
    return runner;
  }

  /** Emits skips, then starts what can start. */
  private apply(skips: readonly Skip[]) {
    for (const s of skips) this.emit({ type: "job:skip", time: Date.now(), ...s });
    for (const job of this.scheduler.next()) {
      // An instance of a matrix built at run time, which succeeded in the run --rerun-failed reads
      // (once: started again on request, it runs).
      const reused = this.reusable.get(job.name);
      if (reused && !this.requested.has(job.name)) {
        this.reusable.delete(job.name);
        this.emit({ type: "job:reused", time: Date.now(), job: job.name, ...reused });
        this.onEnded(job, "reused", false);
        continue;
      }
      const parked = this.runners.get(job.name);
      const requested = this.requested.delete(job.name);
      if (parked) parked.start(true);
      else this.newRunner(job).start(requested);
    }
    if (this.scheduler.workDone && !this.daemonsStopping)
      // Interrupted or failing fast, the daemons are stopped for the same reason as the other jobs.
      this.stopDaemons(
        this.interruptedBy ? stopReasonOf(this.interruptedBy) : this.failedFast ? "fail-fast" : "daemon-done",
      );
    this.checkDone();
  }

  /** Whether the job's runner is the run's (see detachFamily). */
  private current(job: Job): boolean {
    return this.runners.get(job.name)?.job === job;
  }

  private onEnded(job: Job, state: AttemptState | "cached" | "reused", manual: boolean) {
    const runner = this.runners.get(job.name);
    this.runners.delete(job.name);
    if (runner) {
      this.attempts.set(job.name, runner.attempt);
      // Kept to the end of the run only to release pipes that leftover children hold open.
      if (!runner.output?.open) this.allRunners.delete(runner);
    }
    const skips = this.scheduler.ended(job.name, state, manual);
    if (this.scheduler.failFastTriggered && !this.failedFast) {
      this.failedFast = true;
      for (const r of this.runners.values()) if (!r.job.daemon) void r.stop("fail-fast");
    }
    this.apply(skips);
  }

  /** The work is done (or the run ends on request): stop the daemons, those that others need last. */
  private stopDaemons(reason: StopReason) {
    this.daemonsStopping = true;
    this.ending = true;
    this.apply(this.scheduler.end(false));
    void this.stopInOrder([...this.runners.values()], reason);
  }

  /** `ctl end`: what waits is skipped, running work is stopped, then the daemons. */
  private async end() {
    if (this.ending) return;
    this.ending = true;
    this.apply(this.scheduler.end(true));
    await this.stopInOrder(
      [...this.runners.values()].filter((r) => !r.job.daemon),
      "manual",
    );
    if (!this.daemonsStopping) this.stopDaemons("daemon-done");
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

  /** A signal, the run's time limit or the wrapper's exit: nothing new starts; running jobs are stopped. */
  private interrupt(by: Interrupt) {
    if (this.finalizing || this.interruptedBy) return;
    this.interruptedBy = by;
    this.ending = true;
    this.apply(this.scheduler.interrupt({ cause: "interrupt", by }));
    void this.stopInOrder([...this.runners.values()], stopReasonOf(by));
  }

  private installSignalHandlers() {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.interruptedBy && this.interruptedBy !== "run-timeout") {
        // A second signal: kill everything at once.
        for (const r of this.runners.values()) r.kill();
        void this.reaper.killAll();
        return;
      }
      this.interruptedBy = null; // a signal wins over the run's time limit
      this.interrupt(signal);
    };
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.on(s, onSignal);
      this.cleanups.push(() => process.off(s, onSignal));
    }
    if (this.opts.detach) return;
    // The wrapper that started procflow exited: as SIGTERM, unless a signal came first (a SIGTERM to
    // the whole group also ends the wrapper, and that is no second signal). Looked up in /proc once the
    // first job is on its way, which need not wait for it.
    let unwatch = () => {};
    const lookup = setImmediate(() => {
      unwatch = watchParent(() => this.interrupt("parent-exit"));
    });
    this.cleanups.push(() => {
      clearImmediate(lookup);
      unwatch();
    });
  }

  private checkDone() {
    if (this.finalizing || this.runners.size > 0 || !this.scheduler.allEnded) return;
    if (!this.ending && !this.scheduler.workDone) {
      // A keep-alive run whose every job has ended waits for `end`; so does one with nothing to run.
      if (this.opts.mode && this.opts.mode !== "run") return;
    }
    this.finalizing = true;
    void this.finalize(this.scheduler.endStates());
  }

  private exitCode(): number {
    const by = this.interruptedBy;
    if (by === "run-timeout") return ExitCode.timeout;
    if (by === "parent-exit") return ExitCode.sigterm;
    if (by) return signalExitCode(by);
    return this.scheduler.failed ? ExitCode.failed : ExitCode.ok;
  }

  private async finalize(states: Record<string, EndState>) {
    await this.reaper.cleanup();
    const closed = this.reaper.close();
    for (const r of this.allRunners) r.output?.release();
    this.resultFiles.close();
    const exitCode = this.exitCode();
    const interrupted = this.interruptedBy !== null && this.interruptedBy !== "run-timeout";
    const state: RunState = interrupted ? "interrupted" : exitCode === 0 ? "succeeded" : "failed";
    this.emit({
      type: "run:end",
      time: Date.now(),
      state,
      exitCode,
      durationMs: Date.now() - this.startedAt,
      jobs: states,
    });
    for (const c of this.cleanups) c();
    await Promise.all([closed, ...this.opts.reporters.map((r) => r.close?.())]);
    this.finished({ runId: this.runId, state, exitCode, jobs: states });
  }
}

/** The stop reason of the jobs an interrupt stops. */
const stopReasonOf = (by: Interrupt): StopReason =>
  by === "run-timeout" || by === "parent-exit" ? by : "interrupt";
