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
  /** What most attempts' environments are copied from (plainEnv()). */
  private plain: Record<string, string> | undefined;
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
    const vars = declared.env;
    let env: Record<string, string>;
    if (!setsColor(vars) && !(expand && anyExpression(vars))) {
      // The common case, on a fan-out's hot path: a copy of the prepared environment (plainEnv()).
      env = { ...this.plainEnv(), ...vars };
    } else {
      // Expressions see procflow's own environment and the variables declared so far, as written.
      env = { ...this.base, ...vars };
      for (const k in vars) {
        if (!expand || !vars[k]!.includes("${{")) continue;
        const e = expand(vars[k]!, env);
        if (!e.ok) return { ok: false, error: `env ${k}: ${e.error}` };
        env[k] = e.value;
      }
      if (this.ctx.color && !setsColor(vars)) env.FORCE_COLOR = "1";
    }
    env.PROCFLOW_RUN_ID = this.ctx.runId;
    env.PROCFLOW_RUN_IDS = this.runIds;
    env.PROCFLOW_JOB = job.name;
    env.PROCFLOW_ATTEMPT = String(attempt);
    env.PROCFLOW_FILE = job.file;
    const ports = this.ctx.ports?.[job.name];
    for (const name in ports) env[`PROCFLOW_PORT_${name.toUpperCase()}`] = String(ports[name]);
    return { ok: true, env };
  }

  /** procflow's own environment, with FORCE_COLOR when colour is on, and the PROCFLOW_* keys in place. */
  private plainEnv(): Record<string, string> {
    // Through JSON (every value is a string): an object that grows key by key, as procflow's own
    // environment did here, is in V8's slow dictionary mode, and copying it cost ~8 µs; JSON.parse
    // makes it in fast mode (up to ~128 keys), and a copy costs well under 1 µs.
    this.plain ??= JSON.parse(
      JSON.stringify({
        ...this.base,
        ...(this.ctx.color ? { FORCE_COLOR: "1" } : {}),
        PROCFLOW_RUN_ID: "",
        PROCFLOW_RUN_IDS: "",
        PROCFLOW_JOB: "",
        PROCFLOW_ATTEMPT: "",
        PROCFLOW_FILE: "",
      }),
    ) as Record<string, string>;
    return this.plain;
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

/** The job sets colour itself: then procflow adds no FORCE_COLOR. */
const setsColor = (vars: Record<string, string>) => "FORCE_COLOR" in vars || "NO_COLOR" in vars;

const anyExpression = (vars: Record<string, string>) => {
  for (const k in vars) if (vars[k]!.includes("${{")) return true;
  return false;
};
