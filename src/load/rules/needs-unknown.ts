// A need must name a job of the tree (this file or one it includes, or that includes it).
import { suggester } from "../suggest.js";
import { needPath, type Rule } from "./rule.js";

export const needsUnknown: Rule = (ctx) => {
  const names = ctx.tree.names;
  let didYouMean: ((name: string) => string) | undefined; // indexed only when a need is unknown
  for (const { name, needs } of ctx.jobs)
    for (const { name: need, at } of needs)
      if (!names.has(need)) {
        didYouMean ??= suggester(names);
        ctx.report(
          needPath(name, at),
          "needs-unknown",
          `jobs.${name}.needs: no job named "${need}"${didYouMean(need)}`,
          {
            key: true,
          },
        );
      }
};
