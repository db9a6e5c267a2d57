// `inputs`/`outputs` (SPEC §13): not on a daemon, no outputs without inputs, and no pattern whose
// static base lies outside the job file's folder (a restore writes there and nowhere else).
import { isAbsolute, relative, resolve } from "node:path";
import type { Rule } from "./rule.js";

/** The part of a glob pattern before its first segment with a glob character. */
function staticBase(pattern: string): string {
  const segments = pattern.split("/");
  const glob = segments.findIndex((s) => /[*?[\]{}()!]/.test(s));
  return (glob === -1 ? segments : segments.slice(0, glob)).join("/") || ".";
}

/** Whether `path` (absolute) is `dir` or inside it. */
export const inside = (dir: string, path: string): boolean => {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
};

export const cacheFields: Rule = (ctx) => {
  for (const { name, job } of ctx.jobs) {
    if (job.daemon && job.inputs)
      ctx.report(
        ["jobs", name, "inputs"],
        "cache-daemon",
        `jobs.${name}.inputs: a daemon is never cached (it serves the other jobs while they run); remove inputs`,
        { key: true },
      );
    if (job.outputs && !job.inputs)
      ctx.report(
        ["jobs", name, "outputs"],
        "cache-outputs-without-inputs",
        `jobs.${name}.outputs: outputs are stored only for a cacheable job; add the inputs they are made from`,
        { key: true },
      );
    const cwd = job.cwd ?? ctx.file.defaults?.cwd;
    // A cwd with expressions is only known per instance; its patterns are checked when it is restored.
    if ((!job.inputs && !job.outputs) || cwd?.includes("${{")) continue;
    const base = resolve(ctx.dir, cwd ?? ".");
    for (const field of ["inputs", "outputs"] as const)
      job[field]?.forEach((pattern, i) => {
        if (pattern.includes("${{") || inside(ctx.dir, resolve(base, staticBase(pattern)))) return;
        ctx.report(
          ["jobs", name, field, i],
          "cache-path-outside",
          `jobs.${name}.${field}: ${pattern} lies outside the job file's folder; procflow only caches files under ${ctx.dir}`,
        );
      });
  }
};
