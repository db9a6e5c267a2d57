// Requests to a running graph (SPEC §11): restart, stop, start, end — one door for `ctl`, the tui's
// keys, the web view and the file watcher. Each request is one `run:control` event, then what it
// causes; the answer says whether it was done.
import type { ControlVerb, Unstamped } from "../events.js";
import { dependentsOf } from "../graph/select.js";
import type { Job, JobGraph } from "../graph/types.js";
import type { OnRequest } from "./attempt.js";
import type { JobRunner } from "./job-runner.js";
import type { Scheduler, Skip } from "./scheduler.js";

export type Command =
  | {
      readonly verb: "restart";
      readonly jobs: readonly string[];
      readonly withDependents?: boolean;
      readonly reason?: "manual" | "watch";
      /** The file changes that ask for it (watch): each is a `job:change` event, in place of `run:control`. */
      readonly changes?: readonly FileChange[];
    }
  | { readonly verb: "stop" | "start"; readonly jobs: readonly string[] }
  | { readonly verb: "end" };

export interface FileChange {
  readonly job: string;
  readonly paths: readonly string[];
  readonly count: number;
}

/** ok, or why not: 1 the job could not start, 2 a request that cannot be done now (a need does not hold). */
export type CommandAnswer =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 1 | 2; readonly error: string };

/** A running graph's door for requests. Jobs are instance names. */
export interface RunControl {
  readonly runId: string;
  command(c: Command): Promise<CommandAnswer>;
}

export interface RequestHost {
  emit(e: Unstamped): void;
  runner(name: string): JobRunner | undefined;
  newRunner(job: Job): JobRunner;
  /** Drops a job's runner that waits for a start which will not come (its attempts are kept). */
  forget(name: string): void;
  apply(skips: readonly Skip[]): void;
  /** The job waits again, and starts as asked for (not from the cache) once its needs hold. */
  rearm(name: string): void;
  /** The runners of the instances a rebuilt matrix (its placeholder's name) had: no longer the run's. */
  detachFamily(placeholder: string): JobRunner[];
  end(): Promise<void>;
  ending(): boolean;
}

const OK: CommandAnswer = { ok: true };
const ENDING: CommandAnswer = { ok: false, code: 2, error: "the run is ending" };

export class Requests {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly graph: JobGraph,
    private readonly host: RequestHost,
  ) {}

  async handle(c: Command): Promise<CommandAnswer> {
    const jobs = c.verb === "end" ? [] : c.jobs;
    const unknown = jobs.find((j) => this.scheduler.phase(j) === undefined);
    if (unknown !== undefined) return { ok: false, code: 2, error: `no job named "${unknown}" in this run` };
    if (this.host.ending()) return ENDING;
    // A file change is nobody's request: it is said as what changed.
    if (c.verb === "restart" && c.changes)
      for (const ch of c.changes) this.host.emit({ type: "job:change", ...ch });
    else this.host.emit({ type: "run:control", verb: c.verb as ControlVerb, jobs });
    switch (c.verb) {
      case "end":
        void this.host.end();
        return OK;
      case "stop":
        for (const name of jobs) this.stop(name);
        return OK;
      case "start": {
        for (const name of jobs) {
          const why = this.running(name) ? `${name} is already running` : this.unmetNeed(name);
          if (why) return { ok: false, code: 2, error: why };
        }
        return this.startAll(jobs, "manual");
      }
      case "restart":
        return this.restart(jobs, c.withDependents ?? false, c.reason ?? "manual");
    }
  }

  private stop(name: string) {
    const phase = this.scheduler.phase(name);
    if (phase === "waiting" || phase === "queued") {
      // Not started (or back to waiting for a restart with what it needs): it never starts now.
      this.host.forget(name);
      this.host.apply(this.scheduler.stopWaiting(name));
    } else void this.host.runner(name)?.stop("manual");
  }

  /** A process of the job is alive or being stopped (not merely waiting for its start). */
  private running(name: string): boolean {
    const state = this.host.runner(name)?.state;
    return state !== undefined && state !== "idle" && state !== "ended";
  }

  /** Why the job's needs do not hold now (`… needs build: success, but build failed`), or null. */
  private unmetNeed(name: string): string | null {
    const unmet = this.scheduler.unmet(name);
    if (!unmet) return null;
    const state =
      unmet.state === "timed_out"
        ? "timed out"
        : unmet.state === "running" || unmet.state === "waiting"
          ? `is ${unmet.state}`
          : unmet.state;
    return `${name} needs ${unmet.need}: ${unmet.condition}, but ${unmet.need} ${state}`;
  }

  private async restart(
    asked: readonly string[],
    withDependents: boolean,
    reason: OnRequest,
  ): Promise<CommandAnswer> {
    // A job asked for that needs another one asked for restarts as its dependent.
    const downstream = new Set(withDependents ? asked.flatMap((n) => dependentsOf(this.graph, [n])) : []);
    const names = asked.filter((n) => !downstream.has(n));
    // Watch: an ended job whose needs do not hold now runs again once they do.
    const later: string[] = [];
    for (const name of names) {
      const why = this.unmetNeed(name);
      if (why && reason === "watch" && !this.running(name)) later.push(name);
      else if (why) return { ok: false, code: 2, error: why };
    }
    // Dependents that have started or ended run again once what they need reaches their condition.
    const dependents = [...downstream].filter((d) => {
      const phase = this.scheduler.phase(d);
      return phase === "running" || phase === "ended";
    });
    // Running dependents stop first, then the jobs asked for; all of them start again in dependency order.
    const wasRunning = new Set(
      [...dependents, ...names].filter((n) => this.scheduler.phase(n) === "running"),
    );
    // A matrix built at run time from what restarts is built again (SPEC §14): its instances leave
    // the run at once (none may start meanwhile) and are stopped; its placeholder waits again.
    const rebuilt = [...downstream].filter((d) => this.scheduler.regrow(d));
    const leaving = rebuilt.flatMap((p) => this.host.detachFamily(p));
    await Promise.all([
      ...dependents.map((d) => this.host.runner(d)?.restart(reason)),
      ...leaving.map((r) => r.stop(reason)),
    ]);
    await Promise.all(names.map((n) => this.host.runner(n)?.restart(reason)));
    if (this.host.ending()) return ENDING;
    // A job stopped (`ctl stop`) while it was being restarted has ended, and stays so.
    const stillWanted = (name: string) => !wasRunning.has(name) || this.scheduler.phase(name) === "running";
    // Started before the dependents wait again, so that a job that had ended does not meet their needs.
    const answer = this.startAll(
      names.filter((n) => !later.includes(n) && stillWanted(n)),
      reason,
    );
    for (const d of [...later, ...rebuilt, ...dependents.filter(stillWanted)]) this.host.rearm(d);
    return answer;
  }

  /** Starts each job at once, over the concurrency limit if need be; not ok when one could not start. */
  private startAll(names: readonly string[], reason: OnRequest): CommandAnswer {
    const failed: string[] = [];
    for (const name of names) {
      const job = this.scheduler.phase(name) === "running" ? null : this.scheduler.rerun(name);
      let runner = this.host.runner(name);
      if (!runner || runner.state === "ended") {
        // An ended job's runner is gone: a new one counts its attempts on.
        runner = this.host.newRunner(job ?? runner!.job);
        if (runner.attempt > 0) runner.announceRestart(reason);
      }
      runner.start(true);
      // A cacheable job is first fingerprinted (checking), then started.
      if (runner.pid === undefined && runner.state !== "checking") failed.push(name);
    }
    this.host.apply([]);
    return failed.length === 0 ? OK : { ok: false, code: 1, error: `could not start ${failed.join(", ")}` };
  }
}
