// The run's events: one discriminated union, emitted in one total order by the executor and consumed
// by every reporter (`-o json` is this union serialized, one line per output line). Events carry
// facts, never words: reporters word them (src/report/words.ts).
import type { Condition } from "./graph/types.js";

/**
 * How one attempt, or a whole job, ended. Not run at all: `reused` (its success taken from an earlier
 * run, --rerun-failed), `cached` (its outputs and output restored from the cache).
 */
export type EndState = "succeeded" | "failed" | "timed_out" | "stopped" | "skipped" | "reused" | "cached";
export type AttemptState = Exclude<EndState, "skipped" | "reused" | "cached">;

export type StopReason =
  | "daemon-done"
  | "timeout"
  | "ready-timeout"
  | "run-timeout"
  | "fail-fast"
  | "interrupt"
  | "health"
  | "manual"
  | "watch"
  /** The process that started procflow (npm, npx, a script) exited. */
  | "parent-exit";

export type RestartReason = "policy" | "manual" | "watch";

export type RunState = "succeeded" | "failed" | "interrupted";

/** How the run is meant to end: when its work is done, or only on `ctl end` / an interrupt. */
export type RunMode = "run" | "keep-alive" | "watch";

export type ControlVerb = "restart" | "stop" | "start" | "end";

/** Why a job never started (SPEC §18 `job:skip.cause`). */
export type SkipCause =
  | {
      readonly cause: "need";
      /** The needed job as written. */
      readonly need: string;
      readonly condition: Condition;
      /** The state of the needed job (or of its instance named by `needJob`) that decided it. */
      readonly needState: EndState;
      /** The instance that decided it, when the need is a matrix job. */
      readonly needJob?: string;
      /** The needed job ended, but before it was started / ready. */
      readonly early?: boolean;
      /** The needed job was stopped on request (`ctl stop`). */
      readonly onRequest?: boolean;
    }
  /** The failure policy stopped the run's work: `failed` (a job) ended in `failedState`. */
  | { readonly cause: "policy"; readonly failed: string; readonly failedState: EndState }
  /** An interrupt (a signal, the run's time limit, the wrapper's exit) stopped the run. */
  | { readonly cause: "interrupt"; readonly by: NodeJS.Signals | "run-timeout" | "parent-exit" }
  | { readonly cause: "manual" }
  /** The job's `if` was false when its needs were met (never fails the run). */
  | { readonly cause: "if"; readonly expression: string }
  /** The run ended before the job started: its work was done (a daemon nobody needs now), or `ctl end`. */
  | { readonly cause: "end"; readonly onRequest: boolean };

interface Base {
  /** Milliseconds since the epoch. */
  readonly time: number;
}

export type RunEvent =
  | (Base & {
      type: "run:start";
      runId: string;
      file: string;
      pid: number;
      /** Instance names in plan order. */
      jobs: readonly string[];
      mode: RunMode;
      daemons: readonly string[];
      /** Instance → how its command is shown (the argv as written, or a target's module#export(args)). */
      commands: Readonly<Record<string, string>>;
      /** Instance → what it needs (job names as written). */
      needs: Readonly<Record<string, readonly { job: string; condition: Condition }[]>>;
      /** The web view's URL without its token (`run --ui`); null without one. */
      ui: string | null;
      /** Instance → hash of its resolved definition (expressions of run ids and ports as written). */
      definitions: Readonly<Record<string, string>>;
      /** Instance → port name → the port picked for it (SPEC §16). */
      ports: Readonly<Record<string, Readonly<Record<string, number>>>>;
      /** The file's `description`, when it has one (shown by the web view and reports). */
      description?: string;
      /** Instance → its job's `description`, for the jobs that have one. */
      descriptions?: Readonly<Record<string, string>>;
    })
  | (Base & { type: "job:start"; job: string; pid: number; attempt: number; argv: readonly string[] })
  | (Base & { type: "job:ready"; job: string })
  /**
   * One or more complete lines of one stream, each ending in "\n" (a last line without one gets it).
   * Serialized as one `job:output` event with a `line` per line.
   */
  | (Base & {
      type: "job:output";
      job: string;
      stream: "stdout" | "stderr";
      data: Buffer;
      /** Output of the run that stored a cached job's entry, replayed. */
      replay?: true;
    })
  | (Base & { type: "job:health"; job: string; ok: boolean; message: string })
  | (Base & { type: "job:stop"; job: string; signal: NodeJS.Signals; reason: StopReason })
  | (Base & {
      type: "job:exit";
      job: string;
      pid: number | null;
      attempt: number;
      exitCode: number | null;
      signal: NodeJS.Signals | null;
      durationMs: number;
      state: AttemptState;
      error?: string;
      result?: unknown;
    })
  /** A cacheable job not started: its entry's outputs restored (`restored` files written), its lines replayed. */
  | (Base & {
      type: "job:cached";
      job: string;
      fingerprint: string;
      fromRun: string;
      restored: number;
      result?: unknown;
    })
  | (Base & { type: "job:restart"; job: string; attempt: number; delayMs: number; reason: RestartReason })
  | (Base & { type: "job:skip"; job: string } & SkipCause)
  /** Not run: it succeeded in run `fromRun` and nothing it needs runs again (--rerun-failed). */
  | (Base & { type: "job:reused"; job: string; fromRun: string; result?: unknown })
  /**
   * A dynamic matrix was built: `placeholder` (the node shown until then) became `instances`; none
   * when the list was empty or unusable, and the job then ends under its bare name (`job`).
   */
  | (Base & { type: "job:matrix"; job: string; placeholder: string; instances: readonly string[] })
  | (Base & { type: "run:control"; verb: ControlVerb; jobs: readonly string[] })
  /** Watched files of the job changed (then it restarts): up to 20 paths relative to its cwd, of `count`. */
  | (Base & { type: "job:change"; job: string; paths: readonly string[]; count: number })
  | (Base & {
      type: "run:end";
      state: RunState;
      exitCode: number;
      durationMs: number;
      jobs: Readonly<Record<string, EndState>>;
    });

export type EventType = RunEvent["type"];
export type EventOf<T extends EventType> = Extract<RunEvent, { type: T }>;
/** An event before the executor stamps its time. */
export type Unstamped = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, "time"> : never) : never;

/** A reporter sees every event in order; `close` is awaited after `run:end` (flush files, drain output). */
export interface Reporter {
  event(e: RunEvent): void;
  close?(): Promise<void> | void;
}

/** The end of an exhaustive `switch` over event types: fails to compile when a type is not handled. */
export function unreachable(x: never): never {
  throw new Error(`unhandled: ${JSON.stringify(x)}`);
}

/** The nodes a `job:matrix` event makes of its placeholder: its instances, or the job's bare name. */
export function matrixNodes(e: EventOf<"job:matrix">): readonly string[] {
  return e.instances.length > 0 ? e.instances : [e.job];
}

/** Calls `each` with every line (without its "\n") of a `job:output` event's data. */
export function forEachLine(data: Buffer, each: (line: Buffer) => void): void {
  let start = 0;
  while (start < data.length) {
    const nl = data.indexOf(0x0a, start);
    each(data.subarray(start, nl));
    start = nl + 1;
  }
}
