// The scheduler: pure decisions over the job graph. It knows what has started, become ready and
// ended, and answers which jobs start next and which can no longer run. No I/O, no timers.
//
// An instance's life, as the scheduler sees it:
//   waiting ──needs met──▶ queued ──slot free──▶ running ──▶ ended ──rerun (ctl)──▶ running
//     ▲  └──can never run────┴──▶ ended (skipped)                │
//     └─── rearm: a dependent restarted with the job it needs ───┘
//   waiting ──reuse (--rerun-failed, before anything starts)──▶ ended (reused)
// Needs are evaluated per family (the job as written; a matrix job's instances share their needs)
// from counts (needs.ts), so a need on a matrix job is one barrier. In a keep-alive run, a need that
// cannot hold leaves the job waiting instead of skipping it: a restart may still make it hold.
//
// When a job's needs are met, `release` (the executor's, from the job's `if` and dynamic matrix)
// says whether it starts, is skipped, ends at once, or grows into the instances of its matrix: the
// family then counts those instances, so a need on it waits for all of them.
import type { AttemptState, EndState, SkipCause } from "../events.js";
import type { Job, JobGraph } from "../graph/types.js";
import {
  buildFamilies,
  type Family,
  failsTheRun,
  firstUnmet,
  grow,
  type Instance,
  newInstance,
} from "./families.js";
import { count, type InstanceFacts, impossible, status, type Unmet } from "./needs.js";
import type { Release } from "./release.js";
import { StartQueue } from "./start-queue.js";

export type Policy = "finish" | "keep-going" | "fail-fast";

export type Skip = { readonly job: string } & SkipCause;
export type { Release, Unmet };

const START: Release = { to: "start" };

export class Scheduler {
  private readonly instances: Map<string, Instance>;
  private readonly families: Map<string, Family>;
  private readonly dependents: Map<string, Family[]>;
  private readonly queue = new StartQueue<Instance>();
  private running = 0;
  private nonDaemonLeft = 0;
  private readonly hasWork: boolean;
  private stopping: Extract<SkipCause, { cause: "policy" }> | null = null;
  private interrupted: SkipCause | null = null;

  constructor(
    readonly graph: JobGraph,
    selected: ReadonlySet<string> | null,
    private readonly concurrency: number,
    private readonly policy: Policy,
    private readonly keepAlive = false,
    private readonly release: (job: Job) => Release = () => START,
  ) {
    ({
      instances: this.instances,
      families: this.families,
      dependents: this.dependents,
    } = buildFamilies(graph, selected));
    for (const inst of this.instances.values()) if (!inst.job.daemon) this.nonDaemonLeft++;
    this.hasWork = this.nonDaemonLeft > 0;
  }

  /** Plan order of the selected instances. */
  get plan(): string[] {
    return [...this.instances.keys()];
  }

  /** Releases every family whose needs are met; returns the skips this caused. Call once at the start. */
  begin(): Skip[] {
    const skips: Skip[] = [];
    for (const fam of this.families.values()) this.evaluate(fam, skips);
    return skips;
  }

  /** A job that succeeded in an earlier run ends `reused` without starting (meeting success, started, ready). */
  reuse(name: string): Skip[] {
    const inst = this.instances.get(name);
    const skips: Skip[] = [];
    if (inst?.phase === "queued") this.unqueue(inst); // released by a job reused before it
    if (inst?.phase === "waiting") this.finish(inst, "reused", true, skips);
    return skips;
  }

  /** The instances to start now (they count as running from here on). */
  next(): Job[] {
    return this.queue.take(this.concurrency - this.running).map((inst) => {
      inst.phase = "running";
      if (!inst.job.daemon) this.running++;
      return inst.job;
    });
  }

  /** A process of the job is alive. `ready` is true when the job has no ready probe. */
  started(name: string, ready: boolean): Skip[] {
    return this.reach(name, ready ? "ready" : "started");
  }

  ready(name: string): Skip[] {
    return this.reach(name, "ready");
  }

  /** A new attempt of a running job begins (a restart): until it starts, the job meets no condition. */
  restarting(name: string): void {
    this.update(this.instances.get(name)!, (i) => {
      i.reached = "none";
    });
  }

  /** The job's last attempt ended, or it was cached. `manual`: stopped by a request (its dependents' skips never fail the run). */
  ended(name: string, state: AttemptState | "cached" | "reused", manual = false): Skip[] {
    const inst = this.instances.get(name)!;
    const skips: Skip[] = [];
    if (inst.phase !== "running") return skips;
    if (!inst.job.daemon) this.running--;
    const failed = (state === "failed" || state === "timed_out") && !inst.job.allowFailure;
    if (failed && this.policy !== "keep-going" && !this.keepAlive && !this.stopping)
      this.stopping = { cause: "policy", failed: name, failedState: state };
    this.finish(inst, state, manual, skips);
    this.dropQueuedNonHandlers(skips);
    return skips;
  }

  /** An interrupt, or the run's time limit: nothing new starts; returns the skips. */
  interrupt(cause: SkipCause): Skip[] {
    this.interrupted ??= cause;
    return this.skipAllWaiting(cause, true);
  }

  /** The run ends on request (`ctl end`), or daemons not started yet are not needed once the work is done. */
  end(onRequest: boolean): Skip[] {
    const cause: SkipCause = { cause: "end", onRequest };
    this.interrupted ??= cause;
    return this.skipAllWaiting(cause, false);
  }

  /** `ctl stop` of a job that has not started: it never will. */
  stopWaiting(name: string): Skip[] {
    const skips: Skip[] = [];
    const inst = this.instances.get(name)!;
    if (inst.phase === "queued") this.unqueue(inst);
    this.skip(inst, { cause: "manual" }, false, skips);
    return skips;
  }

  /** Why the job could not start now, or null when every need holds. */
  unmet(name: string): Unmet | null {
    return firstUnmet(this.instances.get(name)!.job.needs, this.families);
  }

  /** Starts a job again at once, over the concurrency limit if need be (`ctl start`/`restart` of an ended or waiting job). */
  rerun(name: string): Job {
    const inst = this.instances.get(name)!;
    if (inst.phase === "queued") this.unqueue(inst);
    this.reopen(inst, "running");
    if (!inst.job.daemon) this.running++;
    return inst.job;
  }

  /**
   * A matrix built at run time whose needs run again is built again (SPEC §14: its instances come
   * from what it needs): the instances it became, whatever their phase, leave the run (the caller
   * stops their processes) and give way to its placeholder, which waits. False when `name` is no
   * placeholder that has grown (or ended under its bare name) in this run.
   */
  regrow(name: string): boolean {
    const job = this.graph.jobs.find((j) => j.name === name);
    const fam = job?.dynamicMatrix ? this.families.get(job.family) : undefined;
    if (!job || !fam || this.instances.has(name)) return false;
    for (const inst of fam.instances.splice(0)) {
      count(fam.counts, inst, -1);
      fam.counts.size--;
      if (inst.phase === "waiting") fam.waiting--;
      if (inst.phase === "queued") this.queue.remove(inst);
      if (inst.phase === "running" && !inst.job.daemon) this.running--;
      if (inst.phase !== "ended" && !inst.job.daemon) this.nonDaemonLeft--;
      this.instances.delete(inst.job.name);
    }
    const placeholder = newInstance(job, this.graph.jobs.indexOf(job));
    this.instances.set(name, placeholder);
    fam.instances.push(placeholder);
    fam.counts.size++;
    fam.waiting++;
    if (!job.daemon) this.nonDaemonLeft++;
    return true;
  }

  /** A dependent restarted with what it needs: it waits again, and starts when its needs hold. */
  rearm(name: string): Skip[] {
    const inst = this.instances.get(name)!;
    if (inst.phase === "running" && !inst.job.daemon) this.running--;
    this.reopen(inst, "waiting");
    const skips: Skip[] = [];
    this.evaluate(this.families.get(inst.job.family)!, skips);
    return skips;
  }

  /** The instances of a family (a job as written), as far as needs are concerned. */
  members(family: string): readonly InstanceFacts[] | undefined {
    return this.families.get(family)?.instances;
  }

  phase(name: string): Instance["phase"] | undefined {
    return this.instances.get(name)?.phase;
  }

  /** Under fail-fast: the first failure asks for every running job to be stopped. */
  get failFastTriggered(): boolean {
    return this.policy === "fail-fast" && this.stopping !== null;
  }

  /** Every non-daemon job has ended (never true for a file of daemons only, nor in a keep-alive run). */
  get workDone(): boolean {
    return this.hasWork && !this.keepAlive && this.nonDaemonLeft === 0;
  }

  /** Every instance has ended. */
  get allEnded(): boolean {
    for (const inst of this.instances.values()) if (inst.phase !== "ended") return false;
    return true;
  }

  /** End state of every instance that has one, in plan order. */
  endStates(): Record<string, EndState> {
    const out: Record<string, EndState> = {};
    for (const [name, inst] of this.instances) if (inst.end) out[name] = inst.end;
    return out;
  }

  /** Whether the run failed: a job failed or timed out (without allow_failure), or a skip that fails the run. */
  get failed(): boolean {
    for (const inst of this.instances.values()) if (failsTheRun(inst)) return true;
    return false;
  }

  // --- internals -----------------------------------------------------------------------------

  /** Changes an instance's facts in one place: its family's counts follow, then its dependents. */
  private update(inst: Instance, change: (i: Instance) => void, skips: Skip[] = []): Skip[] {
    const fam = this.families.get(inst.job.family)!;
    count(fam.counts, inst, -1);
    const wasWaiting = inst.phase === "waiting";
    change(inst);
    if (wasWaiting !== (inst.phase === "waiting")) fam.waiting += wasWaiting ? -1 : 1;
    count(fam.counts, inst, 1);
    for (const dep of this.dependents.get(fam.name) ?? []) this.evaluate(dep, skips);
    return skips;
  }

  private reach(name: string, level: "started" | "ready"): Skip[] {
    const inst = this.instances.get(name)!;
    if (inst.reached === level || inst.reached === "ready") return [];
    return this.update(inst, (i) => {
      i.reached = level;
    });
  }

  private finish(inst: Instance, state: EndState, benign: boolean, skips: Skip[]) {
    if (!inst.job.daemon) this.nonDaemonLeft--;
    this.update(
      inst,
      (i) => {
        i.phase = "ended";
        i.end = state;
        i.benign = benign;
        // Reused or cached: it did what a started (and ready) job does (SPEC §19).
        if (state === "reused" || state === "cached") i.reached = "ready";
      },
      skips,
    );
  }

  /** Takes an instance back from its end (or from running) to waiting, or straight to running. */
  private reopen(inst: Instance, phase: "waiting" | "running") {
    const wasDone = inst.phase === "ended";
    this.update(inst, (i) => {
      i.phase = phase;
      i.end = null;
      i.reached = "none";
      i.benign = false;
      i.failureSkip = false;
    });
    if (wasDone && !inst.job.daemon) this.nonDaemonLeft++;
  }

  private skip(inst: Instance, cause: SkipCause, failure: boolean, skips: Skip[]) {
    if (inst.phase === "ended" || inst.phase === "running") return;
    skips.push({ job: inst.job.name, ...cause });
    inst.failureSkip = failure;
    this.finish(inst, "skipped", !failure, skips);
  }

  private skipAllWaiting(cause: SkipCause, failure: boolean): Skip[] {
    const skips: Skip[] = [];
    this.queue.clear();
    for (const inst of this.instances.values())
      if (inst.phase === "waiting" || inst.phase === "queued") this.skip(inst, cause, failure, skips);
    return skips;
  }

  private evaluate(fam: Family, skips: Skip[]) {
    if (fam.waiting === 0) return;
    let allMet = true;
    for (const need of fam.instances[0]!.job.needs) {
      const needed = this.families.get(need.job);
      if (!needed) continue; // not selected: a named-jobs run keeps what the job needs, so this is unreachable
      const s = status(needed.counts, need.condition);
      if (s === "met") continue;
      allMet = false;
      if (s === "never" && !this.keepAlive) {
        const { cause, fails } = impossible(need, needed.instances);
        for (const inst of fam.instances) if (inst.phase === "waiting") this.skip(inst, cause, fails, skips);
        return;
      }
    }
    if (!allMet) return;
    const blocked = this.interrupted ?? (this.stopping && !fam.handler ? this.stopping : null);
    for (const inst of [...fam.instances]) {
      if (inst.phase !== "waiting") continue;
      if (blocked) this.skip(inst, blocked, blocked.cause !== "end", skips);
      else this.admit(inst, fam, skips);
    }
  }

  /** A waiting instance whose needs are met: `release` says what becomes of it. */
  private admit(inst: Instance, fam: Family, skips: Skip[]) {
    const r = this.release(inst.job);
    switch (r.to) {
      case "start":
        return this.enqueue(inst, fam);
      case "skip":
        return this.skip(inst, r.cause, false, skips);
      case "grow":
        this.replace(inst, fam, r.jobs);
        return this.evaluate(fam, skips);
      case "end": {
        const ending = r.as ? this.replace(inst, fam, [r.as])[0]! : inst;
        ending.phase = "running";
        fam.waiting--;
        if (!ending.job.daemon) this.running++;
        skips.push(...this.ended(ending.job.name, r.state));
      }
    }
  }

  /** A waiting placeholder gives way to the instances its dynamic matrix became. */
  private replace(old: Instance, fam: Family, jobs: readonly Job[]): Instance[] {
    const added = grow(fam, old, jobs, this.instances);
    this.nonDaemonLeft += added.filter((i) => !i.job.daemon).length - (old.job.daemon ? 0 : 1);
    return added;
  }

  private enqueue(inst: Instance, fam: Family) {
    inst.phase = "queued";
    fam.waiting--;
    this.queue.add(inst);
  }

  private unqueue(inst: Instance) {
    this.queue.remove(inst);
    inst.phase = "waiting";
    this.families.get(inst.job.family)!.waiting++;
  }

  /** Under finish/fail-fast after a failure, queued jobs that are not handlers never start: skip them. */
  private dropQueuedNonHandlers(skips: Skip[]) {
    const stopping = this.stopping;
    if (!stopping) return;
    for (const inst of this.queue.dropJobs((i) => !this.families.get(i.job.family)!.handler)) {
      inst.phase = "waiting";
      this.families.get(inst.job.family)!.waiting++;
      this.skip(inst, stopping, true, skips);
    }
  }
}
