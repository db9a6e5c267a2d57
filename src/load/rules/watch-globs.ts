// `watch` patterns must be valid globs whose static base stays in the job file's folder tree (SPEC §12).
import { resolve } from "node:path";
import { staticPath } from "../../expr/ast.js";
import { findExpressions } from "../expressions.js";
import { compileGlob, globProblem, within } from "../globs.js";
import { type Path, pathText } from "../parse.js";
import type { Rule } from "./rule.js";

/** An expression, standing for one folder name in a pattern (what it names is checked elsewhere). */
const EXPRESSION = /\$\{\{.*?\}\}/g;

export const watchGlobs: Rule = (ctx) => {
  for (const { name, job } of ctx.jobs) {
    const w = job.watch;
    if (w === undefined) continue;
    // An expression stands for one folder name here; `expressions` checks what it names.
    const cwd = resolve(ctx.dir, (job.cwd ?? ctx.file.defaults?.cwd ?? ".").replace(EXPRESSION, "x"));
    const lists: [readonly string[] | undefined, Path][] = Array.isArray(w)
      ? [[w, ["jobs", name, "watch"]]]
      : [
          [w.paths, ["jobs", name, "watch", "paths"]],
          [w.ignore, ["jobs", name, "watch", "ignore"]],
        ];
    for (const [patterns, path] of lists)
      for (const [i, pattern] of (patterns ?? []).entries()) {
        const at = [...path, i];
        const late = findExpressions(pattern).find((e) => {
          const root = staticPath(e.node)?.[0];
          return root !== "matrix" && root !== "job";
        });
        if (late) {
          const why =
            "watch patterns are fixed when the run starts: use ${{ matrix.KEY }} or ${{ job.name }}";
          ctx.report(at, "watch-expression", `${pathText(at)}: ${late.text}: ${why}`, { offset: late.index });
          continue;
        }
        const plain = pattern.replace(EXPRESSION, "x");
        const problem = globProblem(plain);
        if (problem) {
          ctx.report(at, "watch-glob", `${pathText(at)}: "${pattern}" is not a valid glob: ${problem}`);
          continue;
        }
        const { base } = compileGlob(plain, cwd);
        if (!within(base, ctx.dir))
          ctx.report(
            at,
            "watch-outside",
            `${pathText(at)}: "${pattern}" watches ${base}, outside the job file's folder ${ctx.dir}; move the job file up, or watch a path under it`,
          );
      }
  }
};
