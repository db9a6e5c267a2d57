// A job's fields that have no place in an Argo Workflow, or a narrower one: each is reported at its
// line (one set in `defaults`: at the job), saying what the Workflow does instead.
import type { Job } from "../graph/types.js";
import { formatMs } from "../load/duration.js";
import { DEFAULT_KILL_TIMEOUT_MS } from "../load/normalize.js";

export function reportUnexported(job: Job, warn: (field: string, message: string) => void): void {
  const name = job.family;
  if (job.successCodes.length !== 1 || job.successCodes[0] !== 0)
    warn("success_codes", `job ${name}: success_codes has no Argo equivalent: only 0 succeeds there`);
  if (job.restart === "always" && !job.daemon)
    warn(
      "restart",
      `job ${name}: restart: always becomes Argo's retryPolicy Always, which runs a job again only when it failed`,
    );
  // Argo stops a container itself (a deadline, a daemon no longer needed, a stopped Workflow).
  if (job.stopSignal !== "SIGTERM")
    warn(
      "stop_signal",
      `job ${name}: stop_signal is not exported: Argo stops the container with SIGTERM, not ${job.stopSignal}`,
    );
  if (job.killTimeoutMs !== DEFAULT_KILL_TIMEOUT_MS || job.source.fields.kill_timeout)
    warn(
      "kill_timeout",
      `job ${name}: kill_timeout is not exported: the container gets SIGKILL after the pod's terminationGracePeriodSeconds (30 s unless set), not after ${formatMs(job.killTimeoutMs)}`,
    );
  if (job.cache)
    warn(
      "inputs",
      `job ${name}: inputs and outputs are not exported: the cache is procflow's own, so the task runs every time and restores no outputs`,
    );
  if (job.watch)
    warn(
      "watch",
      `job ${name}: watch is not exported: a Workflow runs each job once, as procflow run does without --watch`,
    );
}
