// An env_file should exist; it may not yet (an earlier job may write it), so this is a warning.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type Path, pathText } from "../parse.js";
import type { Rule } from "./rule.js";

export const envFile: Rule = (ctx) => {
  // Top-level fields are checked here even when their shape was wrong (reported already): skip those values.
  const check = (value: unknown, path: Path) => {
    const files: unknown[] = value === undefined ? [] : ([] as unknown[]).concat(value);
    files.forEach((f, i) => {
      if (typeof f === "string" && !existsSync(resolve(ctx.dir, f)))
        ctx.report(
          Array.isArray(value) ? [...path, i] : path,
          "env-file-missing",
          `${pathText(path)}: ${f} does not exist (yet); a job that uses it fails if it is still missing when it starts`,
          { severity: "warning" },
        );
    });
  };
  check(ctx.file.env_file, ["env_file"]);
  check(ctx.file.defaults?.env_file, ["defaults", "env_file"]);
  for (const { name, job } of ctx.jobs) check(job.env_file, ["jobs", name, "env_file"]);
};
