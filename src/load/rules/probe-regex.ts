// A `log` probe's pattern must be a valid regular expression that V8's linear engine can run (see log-pattern.ts).
import { compileLogPattern } from "../log-pattern.js";
import type { Rule } from "./rule.js";

const PROBES = ["ready", "health"] as const;

export const probeRegex: Rule = (ctx) => {
  for (const { name, job } of ctx.jobs)
    for (const kind of PROBES) {
      const pattern = job[kind]?.log;
      if (typeof pattern !== "string") continue;
      const compiled = compileLogPattern(pattern);
      if ("problem" in compiled)
        ctx.report(
          ["jobs", name, kind, "log"],
          "probe-regex",
          `jobs.${name}.${kind}.log: ${compiled.problem}`,
        );
    }
};
