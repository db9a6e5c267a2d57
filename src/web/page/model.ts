// The page's picture of a run, folded from its events (the `-o json` objects of SPEC §8/§18) as they
// come: from the live API's event stream, or from a report's embedded run.json. No DOM here.

export type JobState =
  | "waiting"
  | "running"
  | "ready"
  | "stopping"
  | "restarting"
  | "succeeded"
  | "failed"
  | "timed_out"
  | "stopped"
  | "skipped";

export interface Attempt {
  readonly attempt: number;
  readonly pid: number | null;
  readonly argv: readonly string[];
  /** False for an attempt that failed before its process existed (a `job:exit` with `pid: null`). */
  readonly started: boolean;
  readonly start: number;
  end: number | null;
  state: string | null;
  exitCode: number | null;
  signal: string | null;
  error?: string;
  result?: unknown;
}

/** One output line: 1 for stderr, 0 for stdout. */
export interface Line {
  readonly err: 0 | 1;
  readonly text: string;
}

export interface JobView {
  readonly name: string;
  readonly daemon: boolean;
  readonly command: string;
  readonly description?: string;
  readonly needs: readonly { job: string; condition: string }[];
  state: JobState;
  attempts: Attempt[];
  lines: Line[];
  /** Why it was skipped, in words. */
  skipped?: string;
  /** Output left out of a report. */
  cut?: { lines: number; bytes: number };
}

export interface RunEnd {
  readonly state: string;
  readonly exitCode: number;
  readonly durationMs: number;
  readonly time: number;
}

// biome-ignore lint/suspicious/noExplicitAny: events are JSON read from outside; each case reads its fields.
type Json = Record<string, any>;

export class RunModel {
  readonly jobs = new Map<string, JobView>();
  runId = "";
  file = "";
  description = "";
  mode = "run";
  started = 0;
  /** The time of the newest event: how far a run that did not end got, and a floor for a live clock. */
  lastTime = 0;
  /** A report: every event it embeds has been read. */
  loaded = false;
  end: RunEnd | null = null;
  /** The newest `seq` applied (a reconnect asks for what came after it). */
  lastSeq = 0;
  /** Output lines of the live run that the replay could not give any more. */
  gap = false;
  /** Bumped on every change, so that views know when to draw again. */
  version = 0;

  apply(e: Json): void {
    if (typeof e.seq === "number") this.lastSeq = Math.max(this.lastSeq, e.seq);
    if (typeof e.time === "number") this.lastTime = Math.max(this.lastTime, e.time);
    this.version++;
    const job = typeof e.job === "string" ? this.jobs.get(e.job) : undefined;
    switch (e.type) {
      case "run:start": {
        Object.assign(this, {
          runId: e.runId,
          file: e.file,
          description: e.description ?? "",
          mode: e.mode ?? "run",
          started: e.time,
        });
        const daemons = new Set<string>(e.daemons ?? []);
        this.lineNames = [...(e.jobs as string[])];
        for (const name of e.jobs as string[])
          this.jobs.set(name, {
            name,
            daemon: daemons.has(name),
            command: e.commands?.[name] ?? "",
            description: e.descriptions?.[name],
            needs: e.needs?.[name] ?? [],
            state: "waiting",
            attempts: [],
            lines: [],
          });
        return;
      }
      case "job:output":
        job?.lines.push({ err: e.stream === "stderr" ? 1 : 0, text: e.line });
        return;
      case "job:start":
        if (!job) return;
        job.state = "running";
        job.skipped = undefined;
        job.attempts.push({
          attempt: e.attempt,
          pid: e.pid,
          argv: e.argv ?? [],
          started: true,
          start: e.time,
          end: null,
          state: null,
          exitCode: null,
          signal: null,
        });
        return;
      case "job:ready":
        if (job) job.state = "ready";
        return;
      case "job:stop":
        if (job) job.state = "stopping";
        return;
      case "job:restart":
        if (job) job.state = "restarting";
        return;
      case "job:exit": {
        if (!job) return;
        job.state = e.state;
        let a = job.attempts.findLast((x) => x.attempt === e.attempt);
        if (!a) {
          // It failed before it started (command not found, a missing env_file…): no job:start came.
          a = {
            attempt: e.attempt,
            pid: null,
            argv: [],
            started: false,
            start: e.time,
            end: null,
            state: null,
            exitCode: null,
            signal: null,
          };
          job.attempts.push(a);
        }
        Object.assign(a, pick(e, ["state", "exitCode", "signal", "error", "result"]), { end: e.time });
        return;
      }
      case "job:matrix": {
        // A matrix built at run time (again, after what it reads restarted): its placeholder, or the
        // instances it was before, give way to the instances it is now (named by its first node).
        const family = String(e.job);
        const template = this.jobs.get(e.placeholder) ?? this.templates.get(family);
        if (!template) return;
        this.templates.set(family, template);
        for (const name of [...this.jobs.keys()])
          if (name === family || name.startsWith(`${family}[`)) this.jobs.delete(name);
        const names: string[] = e.instances.length > 0 ? e.instances : [family];
        for (const name of names)
          this.jobs.set(name, { ...template, name, state: "waiting", attempts: [], lines: [] });
        this.lineNames.push(...e.instances);
        return;
      }
      case "job:skip":
        if (!job) return;
        job.state = "skipped";
        job.skipped = e.reason;
        return;
      case "run:end":
        this.end = { state: e.state, exitCode: e.exitCode, durationMs: e.durationMs, time: e.time };
        for (const [name, state] of Object.entries(e.jobs as Record<string, JobState>)) {
          const j = this.jobs.get(name);
          if (j) j.state = state;
        }
        return;
      case "report:cut":
        if (job) job.cut = { lines: e.lines, bytes: e.bytes };
        return;
      case "report:last":
        return; // a report's newest event time (its output lines carry none), taken above
      default:
        return; // job:health, run:control, and event types this page does not know yet
    }
  }

  /** A report's output line: `[job's index (see report.ts), 1 for stderr, line]`. */
  applyLine([index, err, text]: [number, 0 | 1, string]): void {
    this.jobs.get(this.lineNames[index] ?? "")?.lines.push({ err, text });
  }

  /** run:start.jobs, then each run-time matrix's instances as job:matrix named them. */
  private lineNames: string[] = [];
  /** A run-time matrix's placeholder node, by job: what its instances look like. */
  private readonly templates = new Map<string, JobView>();

  /** The instances a need names: the job itself, or all instances of a matrix job. */
  needed(name: string): string[] {
    if (this.jobs.has(name)) return [name];
    return [...this.jobs.keys()].filter((j) => j.startsWith(`${name}[`));
  }

  /** How long a job has run: its attempts that started added up, the running one until `now`. */
  duration(job: JobView, now: number): number | null {
    const started = job.attempts.filter((a) => a.started);
    if (started.length === 0) return null;
    const until = this.end?.time ?? now;
    return started.reduce((sum, a) => sum + ((a.end ?? until) - a.start), 0);
  }

  /**
   * The time the page counts durations to while the run has not ended: a report's is its last event
   * (a run.json cut short stays as it was); a live page's is `now`, but never before the newest
   * event, since `now` ticks once a second and an attempt may have started after the last tick.
   */
  clock(now: number, live: boolean): number {
    return live ? Math.max(now, this.lastTime) : this.lastTime;
  }
}

function pick(o: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const k of keys) if (k in o) out[k] = o[k];
  return out;
}

/** A job's state in words: `failed (did not start)` when its last attempt never had a process. */
export function stateWords(job: JobView): string {
  const a = job.attempts.at(-1);
  return a && !a.started && ENDED.has(job.state) ? `${job.state} (did not start)` : job.state;
}

export const ENDED: ReadonlySet<string> = new Set(["succeeded", "failed", "timed_out", "stopped", "skipped"]);

/** `1.2s`, `3m 04s`, `250ms`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return m < 60
    ? `${m}m ${String(s).padStart(2, "0")}s`
    : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}
