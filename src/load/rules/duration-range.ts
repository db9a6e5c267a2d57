// A duration longer than a timer can wait (2^31 - 1 ms, about 24.8 days) would fire at once: Node
// takes a longer setTimeout for 1 ms. Each one, in the jobs and the defaults, is reported at its line.
import { durationMs, MAX_DURATION_MS } from "../duration.js";
import type { Path } from "../parse.js";
import type { Rule, RuleContext } from "./rule.js";

/** Where durations are written, within a job or `defaults`. */
const FIELDS: readonly (readonly string[])[] = [
  ["timeout"],
  ["kill_timeout"],
  ["restart_delay"],
  ["ready", "interval"],
  ["ready", "timeout"],
  ["ready", "delay"],
  ["health", "interval"],
  ["health", "timeout"],
  ["watch", "debounce"],
];

export const durationRange: Rule = (ctx) => {
  for (const { name, job } of ctx.jobs) check(ctx, ["jobs", name], job);
  if (ctx.file.defaults) check(ctx, ["defaults"], ctx.file.defaults);
};

function check(ctx: RuleContext, at: Path, owner: object): void {
  for (const field of FIELDS) {
    let value: unknown = owner;
    for (const key of field) value = (value as Record<string, unknown> | undefined)?.[key];
    if ((typeof value !== "string" && typeof value !== "number") || durationMs(value) <= MAX_DURATION_MS)
      continue;
    const path = [...at, ...field];
    ctx.report(
      path,
      "duration-range",
      `${path.join(".")}: ${value} is longer than procflow can wait (24 days)${field[0] === "timeout" ? "; leave it out for no limit" : ""}`,
    );
  }
}
