// What a job's process starts with: its argv, with the expressions evaluated that are known only
// when the job starts (env.*, run.id, needs.*; a dynamic matrix instance's matrix.* and job.name),
// each value into its own element, never through a shell.
import { type Node, namesIn } from "../expr/ast.js";
import type { Scope } from "../expr/evaluate.js";
import { type Expanded, expand } from "../expr/template.js";
import type { Job } from "../graph/types.js";
import { packageRoot } from "../paths.js";

/** The compiled target bootstrap, also when this code runs from src/ (tests) or from the CLI bundle. */
const TARGET_BOOTSTRAP = `${packageRoot}/dist/run/target-child.js`;

export type Argv = { ok: true; argv: string[] } | { ok: false; error: string };

/** An expression that reads no result (the plan shows the others as written). */
export const readsNoNeeds = (node: Node): boolean => namesIn(node).every((n) => n.path[0] !== "needs");

/** The argv of a job's process (a target runs the bootstrap in a Node child). `only`: which expressions to evaluate. */
export function jobArgv(job: Job, scope: Scope, only?: (node: Node) => boolean): Argv {
  const failed = (e: Expanded): e is { ok: false; error: string } => !e.ok;
  if (job.target) {
    const { module, export: name } = job.target;
    const args = targetArgs(job.target.args, scope, only);
    if (!args.ok) return args;
    const argv = [process.execPath, TARGET_BOOTSTRAP, module, name, JSON.stringify(args.args)];
    return { ok: true, argv: job.daemon ? [...argv, "daemon"] : argv };
  }
  const argv: string[] = [];
  for (const a of job.argv!) {
    const e = expand(a, scope, only);
    if (failed(e)) return { ok: false, error: e.error };
    argv.push(e.value);
  }
  return { ok: true, argv };
}

/** A target's args with their expressions evaluated. */
export function targetArgs(
  args: readonly unknown[],
  scope: Scope,
  only?: (node: Node) => boolean,
): { ok: true; args: unknown[] } | { ok: false; error: string } {
  let error: string | null = null;
  const out = deepMap(args, (s) => {
    const e = expand(s, scope, only);
    if (!e.ok) error ??= e.error;
    return e.ok ? e.value : s;
  }) as unknown[];
  return error === null ? { ok: true, args: out } : { ok: false, error };
}

/** A target's args with `f` applied to every string in them. */
function deepMap(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === "string") return f(v);
  if (Array.isArray(v)) return v.map((x) => deepMap(x, f));
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepMap(x, f)]));
  return v;
}
