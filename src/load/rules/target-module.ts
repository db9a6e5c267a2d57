// A target's module should exist; it may not yet (a build job may create it), so this is a warning.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseTarget } from "../target.js";
import type { Rule } from "./rule.js";

export const targetModule: Rule = (ctx) => {
  for (const { name, job } of ctx.jobs) {
    if (job.target === undefined) continue;
    const { module } = parseTarget(job.target);
    if (!existsSync(resolve(ctx.dir, module)))
      ctx.report(
        ["jobs", name, "target"],
        "target-missing",
        `jobs.${name}.target: module ${module} does not exist (yet); the job fails if it is still missing when it starts`,
        { severity: "warning" },
      );
  }
};
