// Requests to a running graph (SPEC §11): restart, stop, start, end — one door for `ctl`, the tui's
// keys, the web view and the file watcher. Each request is one `run:control` event, then what it
// causes; the answer says whether it was done.
import type { ControlVerb, Unstamped } from "../events.js";
import { dependentsOf } from "../graph/select.js";
import type { Job, JobGraph } from "../graph/types.js";
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
  apply(skips: readonly Skip[]): void;
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
    // A file change is nobody's request: once the run is ending, it is not even an event.
    if (c.verb === "restart" && c.changes && this.host.ending()) return ENDING;
    if (c.verb === "restart" && c.changes)
      for (const ch of c.changes) this.host.emit({ type: "job:change", ...ch });
    else this.host.emit({ type: "run:control", verb: c.verb as ControlVerb, jobs });
    if (this.host.ending()) return ENDING;
    switch (c.verb) {
      case "end":
        void this.host.end();
        return OK;
      case "stop":
        for (const name of jobs) this.stop(name);
        return OK;
      case "start": {
        for (const name of jobs) {
          const why = this.cannotStart(name);
          if (why) return { ok: false, code: 2, error: why };
        }
        return this.startAll(jobs.map((name) => () => this.rerun(name)));
      }
      case "restart":
        return this.restart(jobs, c.withDependents ?? false, c.reason ?? "manual");
    }
  }

  private stop(name: string) {
    const runner = this.host.runner(name);
    if (runner) void runner.stop("manual");
    else if (this.scheduler.phase(name) !== "ended") this.host.apply(this.scheduler.stopWaiting(name));
  }

  /** Why `start` cannot start the job now, or null. */
  private cannotStart(name: string): string | null {
    const runner = this.host.runner(name);
    if (runner && runner.state !== "idle") return `${name} is already running`;
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

  /** Starts a job that has no live process now, over the concurrency limit if need be. */
  private rerun(name: string, reason: "manual" | "watch" = "manual"): JobRunner {
    const parked = this.host.runner(name);
    const job = parked?.job ?? this.scheduler.rerun(name);
    const runner = parked ?? this.host.newRunner(job);
    runner.announceRestart(reason);
    runner.start(true);
    return runner;
  }

  private async restart(
    asked: readonly string[],
    withDependents: boolean,
    reason: "manual" | "watch",
  ): Promise<CommandAnswer> {
    // A job asked for that needs another one asked for restarts as its dependent.
    const downstream = new Set(withDependents ? asked.flatMap((n) => dependentsOf(this.graph, [n])) : []);
    const names = asked.filter((n) => !downstream.has(n));
    // Watch: an ended job whose needs do not hold now runs again once they do.
    const later: string[] = [];
    for (const name of names) {
      const runner = this.host.runner(name);
      if (runner && runner.state !== "idle") continue; // running: stopped and started again below
      const why = this.cannotStart(name);
      if (why && reason === "watch") later.push(name);
      else if (why) return { ok: false, code: 2, error: why };
    }
    // Dependents that have started or ended run again once what they need reaches their condition.
    const dependents = [...downstream].filter((d) => {
      const phase = this.scheduler.phase(d);
      return phase === "running" || phase === "ended";
    });
    // Running dependents stop first, then the jobs asked for; all of them start again in dependency order.
    await Promise.all(dependents.map((d) => this.host.runner(d)?.restart(reason)));
    await Promise.all(names.map((n) => this.host.runner(n)?.restart(reason)));
    if (this.host.ending()) return ENDING;
    // Started before the dependents wait again, so that a job that had ended does not meet their needs.
    const now = names.filter((n) => !later.includes(n));
    const answer = this.startAll(now.map((name) => () => this.rerun(name, reason)));
    for (const d of [...later, ...dependents]) {
      this.host.runner(d)?.announceRestart(reason);
      this.host.apply(this.scheduler.rearm(d));
    }
    return answer;
  }

  /** Starts each job; the answer is not ok when one could not start. */
  private startAll(starts: (() => JobRunner)[]): CommandAnswer {
    const failed: string[] = [];
    for (const start of starts) {
      const runner = start();
      if (runner.pid === undefined && runner.state !== "running") failed.push(runner.job.name);
    }
    this.host.apply([]);
    return failed.length === 0 ? OK : { ok: false, code: 1, error: `could not start ${failed.join(", ")}` };
  }
}
