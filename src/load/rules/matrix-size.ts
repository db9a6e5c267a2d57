// One job may fan out to at most 10,000 instances, each with its own name: a key's list may not hold
// a value twice (as written: `1` and `"1"` name the same instance), nor may values holding "," and
// "=" make two combinations' names alike.
import { repeatedValue, sharedName } from "../../graph/instance.js";
import type { Scalar } from "../../graph/types.js";
import { writtenValues } from "../matrix-values.js";
import type { Rule } from "./rule.js";

export const MAX_INSTANCES = 10_000;

export const matrixSize: Rule = (ctx) => {
  for (const { name, job } of ctx.jobs) {
    // A dynamic matrix is counted when it is built (at most 10,000 then too).
    if (!job.matrix || typeof job.matrix === "string") continue;
    const written: [string, readonly Scalar[]][] = [];
    for (const [key, values] of Object.entries(job.matrix)) {
      if (typeof values === "string") continue;
      const path = ["jobs", name, "matrix", key];
      const shown = writtenValues(values, path, ctx.locate, ctx.source.text);
      written.push([key, shown]);
      const twice = repeatedValue(shown);
      if (twice !== null)
        ctx.report(
          path,
          "matrix-repeated",
          `jobs.${name}.matrix.${key}: ${twice} is listed twice (as instance names show values), so two instances would have the same name; list each value once`,
        );
    }
    const lists = Object.values(job.matrix).filter((v) => typeof v !== "string");
    const count = lists.reduce((n, values) => n * values.length, 1);
    const shared = count <= MAX_INSTANCES ? sharedName(name, written) : null;
    if (shared !== null)
      ctx.report(
        ["jobs", name, "matrix"],
        "matrix-repeated",
        `jobs.${name}.matrix: two instances would both be named ${shared} (a value holds "," and "="); change the values`,
        { key: true },
      );
    if (count > MAX_INSTANCES)
      ctx.report(
        ["jobs", name, "matrix"],
        "matrix-size",
        `jobs.${name}.matrix: ${lists.map((v) => v.length).join(" × ")} = ${count.toLocaleString("en-US")} instances, more than ${MAX_INSTANCES.toLocaleString("en-US")}; split the job`,
        { key: true },
      );
  }
};
