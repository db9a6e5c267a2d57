// Timeouts never apply to daemons: a daemon's own `timeout` is a mistake.
import type { Rule } from "./rule.js";

export const daemonTimeout: Rule = (ctx) => {
  for (const { name, job } of ctx.jobs)
    if (job.daemon && job.timeout !== undefined)
      ctx.report(
        ["jobs", name, "timeout"],
        "daemon-timeout",
        `jobs.${name}.timeout: a daemon runs until the work is done, so it has no timeout; remove it (a ready probe has a timeout of its own)`,
        { key: true },
      );
};
