// The normalized, frozen job graph: what the executor consumes (not what users write).
import type { Range, Source } from "./source.js";

export type Condition = "success" | "failure" | "always" | "started" | "ready";
export type RestartPolicy = "never" | "on-failure" | "always";
export type Scalar = string | number | boolean;

export interface Need {
  /** The needed job as named in the file (for a matrix: every instance of it). */
  readonly job: string;
  readonly condition: Condition;
}

export type ProbeCheck =
  | { readonly kind: "log"; readonly pattern: string }
  | { readonly kind: "tcp"; readonly host: string; readonly port: string }
  | { readonly kind: "http"; readonly url: string }
  | { readonly kind: "command"; readonly argv: readonly string[] }
  | { readonly kind: "delay"; readonly ms: number };

export interface Probe {
  readonly check: ProbeCheck;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Health probes only: failures in a row before the job is stopped. */
  readonly retries: number;
}

/** What `procflow run --watch` watches for a job (SPEC §12). */
export interface Watch {
  /** Glob patterns relative to the job's cwd (matrix values substituted). */
  readonly paths: readonly string[];
  readonly ignore: readonly string[];
  readonly debounceMs: number;
  /** Restart the jobs that need this one too. */
  readonly cascade: boolean;
}

/** One layer of a job's environment, lowest precedence first. */
export type EnvLayer = { readonly file: string } | { readonly vars: Readonly<Record<string, string>> };

/** Patterns relative to the job's cwd, and the variables of procflow's environment that count. */
export interface CacheSpec {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly inputsEnv: readonly string[];
}

export interface Job {
  /** Instance name: the job's name, or `name[key=value,…]` for a matrix instance. */
  readonly name: string;
  /** The job's name in the file. */
  readonly family: string;
  /** Absolute path of the file that declares the job (the top file or one it includes). */
  readonly file: string;
  readonly matrix: Readonly<Record<string, Scalar>> | null;
  /**
   * A matrix built at run time (SPEC §14), as written: one expression for the whole matrix, or per
   * key a list or an expression. Such a job is one placeholder instance (`job[key=…]`) until then.
   */
  readonly dynamicMatrix: string | Readonly<Record<string, readonly Scalar[] | string>> | null;
  /** The `if` expression as written (bare, or inside one `${{ }}`), or null. */
  readonly if: string | null;
  /** argv to spawn (expressions other than matrix.* and job.name still to evaluate); null for targets. */
  readonly argv: readonly string[] | null;
  readonly target: {
    readonly module: string;
    readonly export: string;
    readonly args: readonly unknown[];
  } | null;
  /** The shell that runs `argv` (then argv is `[shell, "-c", script, name, ...args]`), or null. */
  readonly shell: string | null;
  /** Absolute working directory. */
  readonly cwd: string;
  readonly env: readonly EnvLayer[];
  readonly needs: readonly Need[];
  readonly daemon: boolean;
  readonly ready: Probe | null;
  readonly health: Probe | null;
  readonly restart: RestartPolicy;
  readonly maxRestarts: number;
  readonly restartDelayMs: number;
  readonly timeoutMs: number | null;
  readonly killTimeoutMs: number;
  readonly stopSignal: NodeJS.Signals;
  readonly successCodes: readonly number[];
  readonly allowFailure: boolean;
  readonly description: string | null;
  /** `inputs`/`outputs`/`inputs_env` (SPEC §13): the job is cacheable; null when it has no `inputs`. */
  readonly cache: CacheSpec | null;
  readonly watch: Watch | null;
  /** Jobs on the longest chain of work that starts here, this one included: the scheduler's priority. */
  readonly weight: number;
  /** Names of the TCP ports picked for it before the run (SPEC §16). */
  readonly ports: readonly string[];
  /** Where the job and each of its fields are written: in `file`, the declaring file. */
  readonly source: {
    readonly file: Source;
    readonly range: Range;
    readonly fields: Readonly<Record<string, Range>>;
  };
}

export interface JobGraph {
  /** Absolute path of the job file. */
  readonly file: string;
  readonly name: string;
  readonly description: string | null;
  readonly concurrency: number | null;
  /** Every instance, in plan (topological) order. */
  readonly jobs: readonly Job[];
  /** Job name in the file → its instances' names, in plan order. */
  readonly families: Readonly<Record<string, readonly string[]>>;
  readonly source: Source;
}
