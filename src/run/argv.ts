// What a job's process starts with: its argv, with the expressions that are known only when the job
// starts (`${{ env.* }}`, `${{ run.id }}`) substituted, each into its own element.
import type { Job } from "../graph/types.js";
import { substitute } from "../load/expressions.js";
import { packageRoot } from "../paths.js";

/** The compiled target bootstrap, also when this code runs from src/ (tests) or from the CLI bundle. */
const TARGET_BOOTSTRAP = `${packageRoot}/dist/run/target-child.js`;

export function expandAtStart(value: string, env: Readonly<Record<string, string>>, runId: string): string {
  return substitute(value, (root, name) =>
    root === "env" ? (env[name] ?? "") : root === "run" && name === "id" ? runId : undefined,
  );
}

/** The argv of a job's process (a target runs the bootstrap in a Node child). */
export function jobArgv(job: Job, env: Readonly<Record<string, string>>, runId: string): string[] {
  if (job.target) {
    const { module, export: name, args } = job.target;
    const argv = [process.execPath, TARGET_BOOTSTRAP, module, name, JSON.stringify(args)];
    return job.daemon ? [...argv, "daemon"] : argv;
  }
  return job.argv!.map((a) => expandAtStart(a, env, runId));
}
