// The run's events: one discriminated union, emitted in one total order by the executor and consumed
// by every reporter (`-o json` is this union serialized, one line per output line).
import type { Signal } from "./load/written.js";

/** How one attempt, or a whole job, ended. */
export type EndState = "succeeded" | "failed" | "timed_out" | "stopped" | "skipped";

export type StopReason =
  | "daemon-done"
  | "timeout"
  | "ready-timeout"
  | "run-timeout"
  | "fail-fast"
  | "interrupt"
  | "health"
  /** The process that started procflow (npm, npx, a script) exited. */
  | "parent-exit";

export type RunState = "succeeded" | "failed" | "interrupted";

interface Base {
  /** Milliseconds since the epoch. */
  readonly time: number;
}

export type RunEvent =
  | (Base & { type: "run:start"; runId: string; file: string; pid: number; jobs: readonly string[] })
  | (Base & { type: "job:start"; job: string; pid: number; attempt: number; argv: readonly string[] })
  | (Base & { type: "job:ready"; job: string })
  /**
   * One or more complete lines of one stream, each ending in "\n" (a last line without one gets it).
   * Serialized as one `job:output` event with a `line` per line.
   */
  | (Base & { type: "job:output"; job: string; stream: "stdout" | "stderr"; data: Buffer })
  | (Base & { type: "job:health"; job: string; ok: boolean; message: string })
  | (Base & { type: "job:stop"; job: string; signal: NodeJS.Signals | Signal; reason: StopReason })
  | (Base & {
      type: "job:exit";
      job: string;
      pid: number | null;
      attempt: number;
      exitCode: number | null;
      signal: NodeJS.Signals | null;
      durationMs: number;
      state: Exclude<EndState, "skipped">;
      error?: string;
      result?: unknown;
    })
  | (Base & { type: "job:restart"; job: string; attempt: number; delayMs: number })
  | (Base & { type: "job:skip"; job: string; reason: string })
  | (Base & {
      type: "run:end";
      state: RunState;
      exitCode: number;
      durationMs: number;
      jobs: Readonly<Record<string, EndState>>;
    });

export type EventType = RunEvent["type"];
export type EventOf<T extends EventType> = Extract<RunEvent, { type: T }>;

/** A reporter sees every event in order; `close` is awaited after `run:end` (flush files, drain output). */
export interface Reporter {
  event(e: RunEvent): void;
  close?(): Promise<void> | void;
}
