// A job's environment, lowest precedence first: procflow's own < the top file's env_file and env <
// the declaring file's, its defaults' < the job's < --env < PROCFLOW_* (SPEC §1, §15). Dotenv files
// are read once per run.
import { readFileSync } from "node:fs";
import type { Job } from "../graph/types.js";

let parseDotenv: typeof import("dotenv").parse | undefined;

/**
 * Loads the dotenv parser when a job reads a dotenv file: before an EnvBuilder builds such a job's
 * environment (dotenv brings node:crypto, which would cost every other run ~2 ms of its start).
 */
export async function loadDotenv(jobs: readonly Job[]): Promise<void> {
  if (parseDotenv === undefined && jobs.some((j) => j.env.some((layer) => "file" in layer)))
    parseDotenv = (await import("dotenv")).parse;
}

export interface EnvContext {
  readonly base: Readonly<Record<string, string | undefined>>;
  readonly overrides: Readonly<Record<string, string>>;
  readonly runId: string;
  /** procflow's own output is coloured: children get FORCE_COLOR=1 unless their env sets it. */
  readonly color: boolean;
  /** Instance → port name → port: each job gets its own as PROCFLOW_PORT_<NAME>. */
  readonly ports?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export type Expand = (
  value: string,
  env: Readonly<Record<string, string>>,
) => { ok: true; value: string } | { ok: false; error: string };

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; error: string };

export class EnvBuilder {
  private readonly files = new Map<string, Record<string, string> | string>();
  private readonly base: Record<string, string> = {};
  private plain: Record<string, string> | undefined;
  private readonly shapes = new WeakMap<Job, Record<string, string>>();
  /**
   * PROCFLOW_RUN_IDS: this run's id after those of the runs it is nested in (a job of theirs started
   * procflow), so that their sweeps and watchdogs find what this run started too (reaper.ts).
   */
  private readonly runIds: string;

  constructor(private readonly ctx: EnvContext) {
    for (const [k, v] of Object.entries(ctx.base)) if (v !== undefined) this.base[k] = v;
    const outer = this.base.PROCFLOW_RUN_IDS ?? this.base.PROCFLOW_RUN_ID;
    this.runIds = outer ? `${outer} ${ctx.runId}` : ctx.runId;
  }

  /**
   * `expand`: evaluates the expressions left in a declared value (not in procflow's own environment),
   * seeing the variables set so far; an error fails the job. The fingerprint of a cacheable job
   * takes them as written (declared()).
   */
  forJob(job: Job, attempt: number, expand?: Expand): EnvResult {
    const declared = this.declared(job);
    if (!declared.ok) return declared;
    const env = { ...this.shape(job, declared.env) };
    for (const k in declared.env) {
      if (!expand || !declared.env[k]!.includes("${{")) continue;
      const e = expand(declared.env[k]!, env);
      if (!e.ok) return { ok: false, error: `env ${k}: ${e.error}` };
      env[k] = e.value;
    }
    env.PROCFLOW_JOB = job.name;
    env.PROCFLOW_ATTEMPT = String(attempt);
    env.PROCFLOW_FILE = job.file;
    const ports = this.ctx.ports?.[job.name];
    for (const name in ports) env[`PROCFLOW_PORT_${name.toUpperCase()}`] = String(ports[name]);
    return { ok: true, env };
  }

  /**
   * What every attempt's environment starts as: procflow's own and the declared variables, and the
   * PROCFLOW_* ones in place. One object for all jobs that declare nothing, one per job otherwise:
   * copying it is ~10× faster than building the environment anew, which left the object in V8's slow
   * dictionary mode, and spawn() reads it again as it copies it for the child (a fan-out's hot path).
   */
  private shape(job: Job, declared: Record<string, string>): Record<string, string> {
    let plain = true;
    for (const _ in declared) {
      plain = false;
      break;
    }
    let shape = plain ? this.plain : this.shapes.get(job);
    if (shape === undefined) {
      shape = { ...this.base, ...declared };
      const colorSet = "FORCE_COLOR" in declared || "NO_COLOR" in declared;
      if (this.ctx.color && !colorSet) shape.FORCE_COLOR = "1";
      shape.PROCFLOW_RUN_ID = this.ctx.runId;
      shape.PROCFLOW_RUN_IDS = this.runIds;
      shape.PROCFLOW_JOB = "";
      shape.PROCFLOW_ATTEMPT = "";
      shape.PROCFLOW_FILE = "";
      if (plain) this.plain = shape;
      else this.shapes.set(job, shape);
    }
    return shape;
  }

  /** The job's environment as declared: its env files and env layers, then `--env` (not procflow's own). */
  declared(job: Job): EnvResult {
    const env: Record<string, string> = {};
    for (const layer of job.env) {
      const vars = "file" in layer ? this.readFile(layer.file) : layer.vars;
      if (typeof vars === "string") return { ok: false, error: vars };
      Object.assign(env, vars);
    }
    Object.assign(env, this.ctx.overrides);
    return { ok: true, env };
  }

  /** The variables of a dotenv file, or why it cannot be read. */
  private readFile(path: string): Record<string, string> | string {
    let vars = this.files.get(path);
    if (vars === undefined) {
      if (parseDotenv === undefined) throw new Error("procflow: loadDotenv() was not called");
      try {
        vars = parseDotenv(readFileSync(path));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        vars = `env_file ${path}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`;
      }
      this.files.set(path, vars);
    }
    return vars;
  }
}
