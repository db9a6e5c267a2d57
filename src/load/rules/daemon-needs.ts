// A daemon does not end before the work does: waiting for its end (success, failure, always) would never finish.
import { needPath, type Rule } from "./rule.js";

export const daemonNeeds: Rule = (ctx) => {
  for (const { name, needs } of ctx.jobs)
    for (const { name: need, condition, at } of needs)
      if (
        condition &&
        ctx.tree.jobs.get(need)?.job.daemon === true &&
        condition !== "started" &&
        condition !== "ready"
      )
        ctx.report(
          needPath(name, at),
          "daemon-need-condition",
          `jobs.${name}.needs.${need}: "${need}" is a daemon and does not end before the work is done, so "${condition}" can never be met; use "ready" or "started"`,
        );
};
