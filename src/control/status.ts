// The state of each job of a live run, folded from its events (SPEC §11 `ctl status`).
import { type EndState, matrixNodes, type Reporter, type RunEvent, unreachable } from "../events.js";

export type JobState = "waiting" | "starting" | "running" | "ready" | "restarting" | "stopping" | EndState;

export interface JobStatus {
  job: string;
  state: JobState;
  pid: number | null;
  attempt: number;
  startedAt: number | null;
  durationMs: number | null;
}

export interface RunStatus {
  readonly runId: string;
  readonly pid: number;
  readonly file: string;
  readonly mode: string;
  readonly startedAt: number;
  readonly state: "running" | "ended";
}

const waiting = (job: string): JobStatus => ({
  job,
  state: "waiting",
  pid: null,
  attempt: 0,
  startedAt: null,
  durationMs: null,
});

export class StatusBoard implements Reporter {
  private readonly jobs = new Map<string, JobStatus>();
  private run: RunStatus | null = null;
  /** The last attempt's end, for the duration of a job that has ended. */
  private readonly endedAt = new Map<string, number>();

  /** `withReady`: jobs that have a ready probe (they are `starting` until it passes). */
  constructor(private readonly withReady: ReadonlySet<string>) {}

  event(e: RunEvent): void {
    switch (e.type) {
      case "run:start":
        this.run = {
          runId: e.runId,
          pid: e.pid,
          file: e.file,
          mode: e.mode,
          startedAt: e.time,
          state: "running",
        };
        for (const job of e.jobs) this.jobs.set(job, waiting(job));
        return;
      case "job:start": {
        const j = this.jobs.get(e.job)!;
        j.state = this.withReady.has(e.job) ? "starting" : "running";
        j.pid = e.pid;
        j.attempt = e.attempt;
        j.startedAt = e.time;
        j.durationMs = null;
        this.endedAt.delete(e.job);
        return;
      }
      case "job:ready":
        this.jobs.get(e.job)!.state = "ready";
        return;
      case "job:stop":
        this.jobs.get(e.job)!.state = "stopping";
        return;
      case "job:exit": {
        const j = this.jobs.get(e.job)!;
        j.state = e.state;
        j.durationMs = e.durationMs;
        j.attempt = e.attempt;
        this.endedAt.set(e.job, e.time);
        return;
      }
      case "job:restart":
        this.jobs.get(e.job)!.state = "restarting";
        return;
      case "job:skip":
        this.jobs.get(e.job)!.state = "skipped";
        return;
      case "job:reused":
        this.jobs.get(e.job)!.state = "reused";
        return;
      case "job:cached":
        this.jobs.get(e.job)!.state = "cached";
        this.endedAt.set(e.job, e.time);
        return;
      case "job:matrix":
        // Built again (what it reads restarted): the instances it was before are gone.
        for (const name of [...this.jobs.keys()])
          if (name === e.job || name.startsWith(`${e.job}[`)) this.jobs.delete(name);
        for (const job of matrixNodes(e)) this.jobs.set(job, waiting(job));
        return;
      case "run:end":
        if (this.run) this.run = { ...this.run, state: "ended" };
        return;
      case "job:output":
      case "job:change":
      case "job:health":
      case "run:control":
        return;
      default:
        unreachable(e);
    }
  }

  /** The instances of the run as the events tell them (a matrix built at run time included). */
  names(): string[] {
    return [...this.jobs.keys()];
  }

  /** The `status` answer: the run, and each job with its duration so far. */
  snapshot(now = Date.now()): { run: RunStatus | null; jobs: JobStatus[] } {
    const jobs = [...this.jobs.values()].map((j) => ({
      ...j,
      durationMs:
        j.durationMs ?? (j.startedAt !== null ? (this.endedAt.get(j.job) ?? now) - j.startedAt : null),
    }));
    return { run: this.run, jobs };
  }

  has(job: string): boolean {
    return this.jobs.has(job);
  }

  state(job: string): JobState | undefined {
    return this.jobs.get(job)?.state;
  }
}
