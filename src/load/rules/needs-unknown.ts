// A need must name a job of the tree (this file or one it includes, or that includes it).
import { suggester } from "../suggest.js";
import { needsOf, type Rule } from "./rule.js";

export const needsUnknown: Rule = (ctx) => {
  const names = ctx.tree.names;
  const known = new Set(names);
  const didYouMean = suggester(names);
  for (const [name, job] of ctx.jobs)
    for (const [need, , path] of needsOf(job, name))
      if (!known.has(need))
        ctx.report(path, "needs-unknown", `jobs.${name}.needs: no job named "${need}"${didYouMean(need)}`, {
          key: true,
        });
};
