// A cacheable job's fingerprint (SPEC §13): everything its result may depend on → one sha256. Pure:
// the facts are gathered elsewhere (inputs.ts hashes the files, session.ts the rest).
import { createHash } from "node:crypto";
import type { Condition, Scalar } from "../graph/types.js";

/** Bumped whenever what an entry holds or how a fingerprint is made changes: old entries then never match. */
export const CACHE_FORMAT = 1;

export interface NeedPrint {
  readonly job: string;
  readonly condition: Condition;
  /** The needed instance's fingerprint. */
  readonly fingerprint: string;
  /** Whether it ended succeeded or cached; absent for `started`/`ready`, whose need may still run. */
  readonly ok?: boolean;
}

export interface FingerprintFacts {
  readonly platform: string;
  readonly arch: string;
  /** The argv as the job gets it, `${{ run.id }}` as written; null for a target. */
  readonly argv: readonly string[] | null;
  readonly shell: string | null;
  /** A target's module content hash, export and arguments (as the argv). */
  readonly target: {
    readonly module: string;
    readonly export: string;
    readonly args: readonly unknown[];
  } | null;
  /** The cwd relative to the job file's folder. */
  readonly cwd: string;
  /** The environment as declared (env files, env, --env; expressions as the argv), and the values of `inputs_env` (null: unset). */
  readonly env: Readonly<Record<string, string>>;
  readonly inputsEnv: Readonly<Record<string, string | null>>;
  readonly matrix: Readonly<Record<string, Scalar>> | null;
  /** Input files: path relative to the cwd → digest (`inputs.ts`), in any order. */
  readonly files: Readonly<Record<string, string>>;
  readonly needs: readonly NeedPrint[];
}

/** JSON with object keys sorted, so that equal facts give equal text whatever their order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const keys = Object.keys(value).sort();
  const obj = value as Record<string, unknown>;
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(",")}}`;
}

export function fingerprint(facts: FingerprintFacts): string {
  return createHash("sha256")
    .update(`procflow-cache-${CACHE_FORMAT}\n`)
    .update(canonical(facts))
    .digest("hex");
}
