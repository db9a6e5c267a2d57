// A `log` probe's pattern must be a valid regular expression.
import type { Rule } from "./rule.js";

export const probeRegex: Rule = (ctx) => {
  for (const [name, job] of ctx.jobs)
    for (const kind of ["ready", "health"] as const) {
      const pattern = job[kind]?.log;
      if (typeof pattern !== "string") continue;
      try {
        new RegExp(pattern);
      } catch (e) {
        const why = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, "");
        ctx.report(
          ["jobs", name, kind, "log"],
          "probe-regex",
          `jobs.${name}.${kind}.log: invalid regular expression: ${why}`,
        );
      }
    }
};
