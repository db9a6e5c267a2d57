// One job may fan out to at most 10,000 instances.
import type { Rule } from "./rule.js";

export const MAX_INSTANCES = 10_000;

export const matrixSize: Rule = (ctx) => {
  for (const { name, job } of ctx.jobs) {
    // A dynamic matrix is counted when it is built (at most 10,000 then too).
    if (!job.matrix || typeof job.matrix === "string") continue;
    const lists = Object.values(job.matrix).filter((v) => typeof v !== "string");
    const count = lists.reduce((n, values) => n * values.length, 1);
    if (count > MAX_INSTANCES)
      ctx.report(
        ["jobs", name, "matrix"],
        "matrix-size",
        `jobs.${name}.matrix: ${lists.map((v) => v.length).join(" × ")} = ${count.toLocaleString("en-US")} instances, more than ${MAX_INSTANCES.toLocaleString("en-US")}; split the job`,
        { key: true },
      );
  }
};
