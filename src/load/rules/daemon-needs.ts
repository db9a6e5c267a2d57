// A daemon does not end before the work does: waiting for its end (success, failure, always) would never finish.
import { needPath, needsOf, type Rule } from "./rule.js";

export const daemonNeeds: Rule = (ctx) => {
  for (const [name, job] of ctx.jobs)
    for (const [need, condition, at] of needsOf(job))
      if (
        condition &&
        ctx.tree.jobs.get(need)?.job.daemon === true &&
        !["started", "ready"].includes(condition)
      )
        ctx.report(
          needPath(name, at),
          "daemon-need-condition",
          `jobs.${name}.needs.${need}: "${need}" is a daemon and does not end before the work is done, so "${condition}" can never be met; use "ready" or "started"`,
        );
};
