// A job cannot wait for itself.
import { needsOf, type Rule } from "./rule.js";

export const needsSelf: Rule = (ctx) => {
  for (const [name, job] of ctx.jobs)
    for (const [need, , path] of needsOf(job, name))
      if (need === name)
        ctx.report(path, "needs-self", `jobs.${name}.needs: a job cannot need itself; remove "${need}"`, {
          key: true,
        });
};
