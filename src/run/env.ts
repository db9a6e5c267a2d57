// A job's environment, lowest precedence first: procflow's own < the file's env_file and env <
// defaults' < the job's < --env < PROCFLOW_* (SPEC §1). Dotenv files are read once per run.
import { readFileSync } from "node:fs";
import { parse as parseDotenv } from "dotenv";
import type { Job } from "../graph/types.js";

export interface EnvContext {
  readonly base: Readonly<Record<string, string | undefined>>;
  readonly overrides: Readonly<Record<string, string>>;
  readonly runId: string;
  readonly file: string;
  /** procflow's own output is coloured: children get FORCE_COLOR=1 unless their env sets it. */
  readonly color: boolean;
}

export type Expand = (
  value: string,
  env: Readonly<Record<string, string>>,
) => { ok: true; value: string } | { ok: false; error: string };

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; error: string };

export class EnvBuilder {
  private readonly files = new Map<string, Record<string, string> | string>();
  private readonly base: Record<string, string> = {};

  constructor(private readonly ctx: EnvContext) {
    for (const [k, v] of Object.entries(ctx.base)) if (v !== undefined) this.base[k] = v;
  }

  /**
   * `expand`: evaluates the expressions left in a value the file declares (not in dotenv files nor
   * procflow's own environment), seeing the variables set so far; an error fails the job.
   */
  forJob(job: Job, attempt: number, expand?: Expand): EnvResult {
    const env: Record<string, string> = { ...this.base };
    let colorSet = false;
    for (const layer of job.env) {
      const vars = "file" in layer ? this.readFile(layer.file) : layer.vars;
      if (typeof vars === "string") return { ok: false, error: vars };
      for (const k in vars) {
        const value = vars[k]!;
        if (expand && "vars" in layer && value.includes("${{")) {
          const e = expand(value, env);
          if (!e.ok) return { ok: false, error: `env ${k}: ${e.error}` };
          env[k] = e.value;
        } else env[k] = value;
        if (k === "FORCE_COLOR" || k === "NO_COLOR") colorSet = true;
      }
    }
    Object.assign(env, this.ctx.overrides);
    if (this.ctx.color && !colorSet && !("FORCE_COLOR" in this.ctx.overrides)) env.FORCE_COLOR = "1";
    env.PROCFLOW_RUN_ID = this.ctx.runId;
    env.PROCFLOW_JOB = job.name;
    env.PROCFLOW_ATTEMPT = String(attempt);
    env.PROCFLOW_FILE = this.ctx.file;
    return { ok: true, env };
  }

  /** The variables of a dotenv file, or why it cannot be read. */
  private readFile(path: string): Record<string, string> | string {
    let vars = this.files.get(path);
    if (vars === undefined) {
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
