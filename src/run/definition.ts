// A job's definition as a hash: what `--rerun-failed` compares to tell whether a job it would reuse
// changed since that run (SPEC §16). Everything that decides how the job runs counts; its priority,
// description and place in the file do not. Expressions (`${{ run.id }}`, ports) count as written.
import { createHash } from "node:crypto";
import type { Job } from "../graph/types.js";

export function definitionHash(job: Job): string {
  const { weight: _w, source: _s, description: _d, ...rest } = job;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex").slice(0, 16);
}
