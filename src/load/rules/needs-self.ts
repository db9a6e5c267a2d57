// A job cannot wait for itself.
import { needPath, type Rule } from "./rule.js";

export const needsSelf: Rule = (ctx) => {
  for (const { name, needs } of ctx.jobs)
    for (const { name: need, at } of needs)
      if (need === name)
        ctx.report(
          needPath(name, at),
          "needs-self",
          `jobs.${name}.needs: a job cannot need itself; remove "${need}"`,
          {
            key: true,
          },
        );
};
