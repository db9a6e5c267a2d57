// `${{ }}` expressions must name a known root (matrix, env, job, run, jobs) and, for matrix, a key of
// the job's matrix; for jobs, a port of a job (port-refs.ts).

import { findExpressions } from "../expressions.js";
import { type Path, pathText } from "../parse.js";
import { portRefProblem } from "./port-refs.js";
import type { Rule, RuleContext } from "./rule.js";

const ROOTS: Record<string, (name: string, matrixKeys: string[]) => string | null> = {
  matrix: (name, keys) =>
    keys.includes(name)
      ? null
      : keys.length === 0
        ? "this job has no matrix"
        : `this job's matrix has ${keys.map((k) => `"${k}"`).join(", ")}`,
  env: (name) => (/^[^=\s]+$/.test(name) ? null : "name an environment variable, e.g. ${{ env.HOME }}"),
  job: (name) => (name === "name" ? null : "the job root has only ${{ job.name }}"),
  run: (name) => (name === "id" ? null : "the run root has only ${{ run.id }}"),
};

function check(ctx: RuleContext, value: unknown, path: Path, matrixKeys: string[]) {
  if (typeof value === "string") {
    for (const e of findExpressions(value)) {
      const problem =
        e.root === "jobs"
          ? portRefProblem(ctx, e.name, path[0] === "jobs" ? String(path[1]) : null)
          : Object.hasOwn(ROOTS, e.root)
            ? ROOTS[e.root]!(e.name, matrixKeys)
            : `use matrix.KEY, env.NAME, job.name or run.id`;
      if (problem)
        ctx.report(
          path,
          "expression-unknown",
          `${pathText(path)}: unknown expression ${e.text}: ${problem}`,
          {
            offset: e.index,
          },
        );
    }
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) check(ctx, v, [...path, i], matrixKeys);
  } else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) check(ctx, v, [...path, k], matrixKeys);
}

export const expressions: Rule = (ctx) => {
  for (const [name, job] of ctx.jobs) {
    const keys = Object.keys(job.matrix ?? {});
    for (const field of ["command", "args", "env", "cwd", "ready", "health"] as const)
      if (job[field] !== undefined) check(ctx, job[field], ["jobs", name, field], keys);
  }
  if (ctx.file.env) check(ctx, ctx.file.env, ["env"], []);
  if (ctx.file.defaults?.env) check(ctx, ctx.file.defaults.env, ["defaults", "env"], []);
  if (ctx.file.defaults?.cwd) check(ctx, ctx.file.defaults.cwd, ["defaults", "cwd"], []);
};
