// The scheduler: pure decisions over the job graph. It knows what has started, become ready and
// ended, and answers which jobs start next and which can no longer run. No I/O, no timers.
//
// A job's life, as the scheduler sees it:
//
//   waiting ──needs met──▶ queued ──slot free──▶ running ──▶ ended
//      │                     │
//      └──can never run──────┴──▶ ended (skipped)
//
// Instances of a matrix job share their needs, so needs are evaluated once per family (the job as
// written), and a family that needs a matrix waits on its aggregate counts: one barrier, not an edge
// per pair of instances.
import type { EndState } from "../events.js";
import type { Condition, Job, JobGraph } from "../graph/types.js";

export type Policy = "finish" | "keep-going" | "fail-fast";

export interface Skip {
  readonly job: string;
  readonly reason: string;
}

interface Instance {
  readonly job: Job;
  readonly index: number;
  phase: "waiting" | "queued" | "running" | "ended";
  started: boolean;
  ready: boolean;
  end?: EndState;
  /** For a skip: whether it comes from a failure (then it fails the run). */
  failureSkip: boolean;
}

interface Family {
  readonly name: string;
  readonly instances: Instance[];
  readonly handler: boolean;
  released: boolean;
  started: number;
  ready: number;
  ended: number;
  /** Ended in a state that meets `success`: succeeded, or failed with allow_failure. */
  ok: number;
  /** Failed or timed out (without allow_failure): meets `failure`. */
  bad: number;
  /** The last instance that ended without meeting `success`, for skip reasons. */
  lastNotOk?: Instance;
}

type Status = { met: true } | { met: false; never?: { reason: string; failure: boolean } };

export class Scheduler {
  private readonly instances = new Map<string, Instance>();
  private readonly families = new Map<string, Family>();
  private readonly dependents = new Map<string, Family[]>();
  /** Released instances waiting for a slot: highest weight first, then plan order. Daemons take no slot and never wait here. */
  private readonly queue: Instance[] = [];
  private readonly daemonsToStart: Instance[] = [];
  private running = 0;
  private nonDaemonLeft = 0;
  private readonly hasWork: boolean;
  private stopping: string | null = null;
  private interrupted: string | null = null;

  constructor(
    readonly graph: JobGraph,
    selected: ReadonlySet<string> | null,
    private readonly concurrency: number,
    private readonly policy: Policy,
  ) {
    graph.jobs.forEach((job, index) => {
      if (selected && !selected.has(job.name)) return;
      const inst: Instance = {
        job,
        index,
        phase: "waiting",
        started: false,
        ready: false,
        failureSkip: false,
      };
      this.instances.set(job.name, inst);
      let fam = this.families.get(job.family);
      if (!fam) {
        const handler =
          job.needs.some((n) => n.condition === "failure" || n.condition === "always") ||
          (job.needs.length > 0 && job.needs.every((n) => this.families.get(n.job)?.handler));
        fam = {
          name: job.family,
          instances: [],
          handler,
          released: false,
          started: 0,
          ready: 0,
          ended: 0,
          ok: 0,
          bad: 0,
        };
        this.families.set(job.family, fam);
        for (const n of job.needs) {
          const list = this.dependents.get(n.job);
          if (list) list.push(fam);
          else this.dependents.set(n.job, [fam]);
        }
      }
      fam.instances.push(inst);
      if (!job.daemon) this.nonDaemonLeft++;
    });
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

  /** The instances to start now (they count as running from here on). */
  next(): Job[] {
    const out: Job[] = [];
    for (const inst of this.daemonsToStart) {
      inst.phase = "running";
      out.push(inst.job);
    }
    this.daemonsToStart.length = 0;
    const n = Math.max(0, Math.min(this.queue.length, this.concurrency - this.running));
    for (const inst of this.queue.splice(0, n)) {
      inst.phase = "running";
      this.running++;
      out.push(inst.job);
    }
    return out;
  }

  /** A process of the job is alive. `ready` is true when the job has no ready probe. */
  started(name: string, ready: boolean): Skip[] {
    const inst = this.instances.get(name)!;
    const fam = this.families.get(inst.job.family)!;
    const skips: Skip[] = [];
    if (!inst.started) {
      inst.started = true;
      fam.started++;
      this.changed(fam, skips);
    }
    if (ready) skips.push(...this.ready(name));
    return skips;
  }

  ready(name: string): Skip[] {
    const inst = this.instances.get(name)!;
    if (inst.ready) return [];
    inst.ready = true;
    const fam = this.families.get(inst.job.family)!;
    fam.ready++;
    const skips: Skip[] = [];
    this.changed(fam, skips);
    return skips;
  }

  /** The job's last attempt ended. */
  ended(name: string, state: Exclude<EndState, "skipped">): Skip[] {
    const inst = this.instances.get(name)!;
    const skips: Skip[] = [];
    if (!inst.job.daemon) this.running--;
    const failed = (state === "failed" || state === "timed_out") && !inst.job.allowFailure;
    if (failed && this.policy !== "keep-going" && !this.stopping)
      this.stopping = `${name} ${describe(state)}`;
    this.finish(inst, state, false, skips);
    this.dropQueuedNonHandlers(skips);
    return skips;
  }

  /** An interrupt, or the run's time limit: nothing new starts; returns the skips. */
  interrupt(reason: string): Skip[] {
    this.interrupted ??= reason;
    const skips: Skip[] = [];
    for (const inst of this.instances.values())
      if (inst.phase === "waiting" || inst.phase === "queued") this.skip(inst, reason, true, skips);
    this.queue.length = 0;
    this.daemonsToStart.length = 0;
    return skips;
  }

  /** Under fail-fast: the first failure asks for every running job to be stopped. */
  get failFastTriggered(): boolean {
    return this.policy === "fail-fast" && this.stopping !== null;
  }

  /** Every non-daemon job has ended (never true for a file of daemons only). */
  get workDone(): boolean {
    return this.hasWork && this.nonDaemonLeft === 0;
  }

  /** Daemons that have not started yet are not needed any more once the work is done. */
  dropIdleDaemons(): Skip[] {
    const skips: Skip[] = [];
    for (const inst of this.instances.values())
      if (inst.phase === "waiting" || inst.phase === "queued")
        this.skip(inst, "the work it serves is done", false, skips);
    this.queue.length = 0;
    this.daemonsToStart.length = 0;
    return skips;
  }

  /** End state of every instance (skipped ones included), in plan order. */
  endStates(): Record<string, EndState> {
    const out: Record<string, EndState> = {};
    for (const [name, inst] of this.instances) if (inst.end) out[name] = inst.end;
    return out;
  }

  /** Whether the run failed: a job failed or timed out (without allow_failure), or was skipped because of a failure. */
  get failed(): boolean {
    for (const inst of this.instances.values()) {
      if (
        inst.end === "skipped"
          ? inst.failureSkip
          : (inst.end === "failed" || inst.end === "timed_out") && !inst.job.allowFailure
      )
        return true;
    }
    return false;
  }

  // --- internals -----------------------------------------------------------------------------

  private finish(inst: Instance, state: EndState, failureSkip: boolean, skips: Skip[]) {
    inst.phase = "ended";
    inst.end = state;
    inst.failureSkip = failureSkip;
    const fam = this.families.get(inst.job.family)!;
    fam.ended++;
    const ok =
      state === "succeeded" || ((state === "failed" || state === "timed_out") && inst.job.allowFailure);
    if (ok) fam.ok++;
    else fam.lastNotOk = inst;
    if ((state === "failed" || state === "timed_out") && !inst.job.allowFailure) fam.bad++;
    if (!inst.job.daemon) this.nonDaemonLeft--;
    this.changed(fam, skips);
  }

  private skip(inst: Instance, reason: string, failure: boolean, skips: Skip[]) {
    if (inst.phase === "ended") return;
    skips.push({ job: inst.job.name, reason });
    this.finish(inst, "skipped", failure, skips);
  }

  private changed(fam: Family, skips: Skip[]) {
    for (const dep of this.dependents.get(fam.name) ?? []) this.evaluate(dep, skips);
  }

  private evaluate(fam: Family, skips: Skip[]) {
    if (fam.released || !fam.instances.some((i) => i.phase === "waiting")) return;
    let allMet = true;
    for (const need of fam.instances[0]!.job.needs) {
      const needed = this.families.get(need.job);
      if (!needed) continue; // not selected: a named-jobs run keeps what the job needs, so this is unreachable
      const s = status(needed, need.condition);
      if (s.met) continue;
      allMet = false;
      if (s.never) {
        fam.released = true;
        for (const inst of fam.instances) this.skip(inst, s.never.reason, s.never.failure, skips);
        return;
      }
    }
    if (!allMet) return;
    fam.released = true;
    const blocked = this.interrupted ?? (this.stopping && !fam.handler ? this.stopping : null);
    for (const inst of fam.instances) {
      if (blocked) this.skip(inst, `not started: ${blocked}`, true, skips);
      else this.enqueue(inst);
    }
  }

  private enqueue(inst: Instance) {
    inst.phase = "queued";
    if (inst.job.daemon) {
      this.daemonsToStart.push(inst);
      return;
    }
    const w = inst.job.weight;
    let at = this.queue.length;
    while (at > 0) {
      const prev = this.queue[at - 1]!;
      if (prev.job.weight > w || (prev.job.weight === w && prev.index < inst.index)) break;
      at--;
    }
    this.queue.splice(at, 0, inst);
  }

  /** Under finish/fail-fast after a failure, queued jobs that are not handlers never start: skip them. */
  private dropQueuedNonHandlers(skips: Skip[]) {
    if (!this.stopping) return;
    for (let i = 0; i < this.queue.length; ) {
      const inst = this.queue[i]!;
      if (!this.families.get(inst.job.family)!.handler) {
        this.queue.splice(i, 1);
        this.skip(inst, `not started: ${this.stopping}`, true, skips);
      } else i++;
    }
  }
}

function describe(state: EndState): string {
  return state === "timed_out"
    ? "timed out"
    : state === "skipped"
      ? "was skipped"
      : state === "stopped"
        ? "was stopped"
        : state;
}

function status(fam: Family, condition: Condition): Status {
  const n = fam.instances.length;
  const name = (inst: Instance | undefined) => inst?.job.name ?? fam.name;
  const never = (what: string, inst: Instance | undefined) => ({
    met: false as const,
    never: {
      reason: `needs ${fam.name}: ${condition}, but ${name(inst)} ${what}`,
      failure: inst !== undefined && (inst.end === "skipped" ? inst.failureSkip : inst.end !== "succeeded"),
    },
  });
  switch (condition) {
    case "started":
      if (fam.started === n) return { met: true };
      for (const i of fam.instances) if (i.phase === "ended" && !i.started) return never(describe(i.end!), i);
      return { met: false };
    case "ready":
      if (fam.ready === n) return { met: true };
      for (const i of fam.instances)
        if (i.phase === "ended" && !i.ready)
          return never(i.end === "skipped" ? "was skipped" : `${describe(i.end!)} before it was ready`, i);
      return { met: false };
    case "success":
      if (fam.ok === n) return { met: true };
      return fam.lastNotOk ? never(describe(fam.lastNotOk.end!), fam.lastNotOk) : { met: false };
    case "failure":
      if (fam.ended < n) return { met: false };
      if (fam.bad > 0) return { met: true };
      return {
        met: false,
        never: {
          reason: `needs ${fam.name}: failure, but ${fam.name} ${n === 1 ? describe(fam.instances[0]!.end!) : "did not fail"}`,
          failure: fam.instances.some((i) => i.end === "skipped" && i.failureSkip),
        },
      };
    case "always":
      return fam.ended === n ? { met: true } : { met: false };
  }
}
