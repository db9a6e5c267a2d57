// What a run is asked to do (`runGraph`'s options) and what it answers.
import type { EndState, Reporter, RunMode, RunState } from "../events.js";
import type { CacheOptions } from "./cache-hook.js";
import type { RunControl } from "./control.js";
import type { RunCgroup } from "./process/cgroup.js";
import type { Reused } from "./rerun.js";
import type { Policy } from "./scheduler.js";

export interface RunOptions {
  /** Run only these jobs (names or instance names) and what they need. */
  readonly only?: readonly string[];
  readonly concurrency?: number;
  readonly policy?: Policy;
  /** `keep-alive`: the run ends only on `end` or an interrupt (and implies keep-going). */
  readonly mode?: RunMode;
  /** Limit for the whole run. */
  readonly timeoutMs?: number;
  /** `--env` values, over the file's. */
  readonly env?: Readonly<Record<string, string>>;
  /** procflow's own output is coloured (children then get FORCE_COLOR=1). */
  readonly color?: boolean;
  readonly reporters: readonly Reporter[];
  /** Handle SIGINT/SIGTERM/SIGHUP (the CLI does; embedders may not want it). */
  readonly handleSignals?: boolean;
  /** With handleSignals: keep running when the process that started procflow exits (`--detach`). */
  readonly detach?: boolean;
  /**
   * The run's cgroup, which this process is entering (`RunCgroup.enter`, started early by the CLI); by
   * default one is made with `handleSignals` only, where the process is the run's: whatever it starts
   * meanwhile is the run's too. Removed at the end.
   */
  readonly cgroup?: RunCgroup | null;
  /** Called when a reporter's output is backed up (true) or drained (false). */
  readonly onBackpressure?: (listener: (paused: boolean) => void) => void;
  /** The run's id (default: a new random UUID). */
  readonly runId?: string;
  /**
   * Receives the run's door for requests once it has started: in a later turn of the event loop than
   * run:start (after the first spawn), unless the run has finished by then.
   */
  readonly onControl?: (control: RunControl) => void;
  /** Files that must not outlive the run (removed by the watchdog if procflow is killed). */
  readonly leftovers?: readonly string[];
  /** The web view's URL (without its token), for run:start. */
  readonly ui?: string;
  /** Jobs not to run but to end as `reused`, with what that earlier run said of them (--rerun-failed). */
  readonly reuse?: ReadonlyMap<string, Reused>;
  /** The cache of jobs with `inputs` (SPEC §13); none: they always run and nothing is stored. */
  readonly cache?: CacheOptions;
  /** Problems that do not stop the run (a damaged cache entry, an input pattern that matches nothing). */
  readonly onWarning?: (message: string) => void;
}

export interface RunResult {
  readonly runId: string;
  readonly state: RunState;
  readonly exitCode: number;
  readonly jobs: Readonly<Record<string, EndState>>;
}
