// The start of `procflow run`, before its options are parsed: the run's id, and procflow's move into
// the run's cgroup (Linux, where one can be had), which waits for the kernel (10–30 ms) off the main
// thread. bin/procflow.js makes it first, from a bundle of this module alone (dist/cli-bundle/
// run-start.cjs), so that the wait passes while the CLI compiles, commander parses and the file
// loads; the first job waits for whatever is left of it (executor.ts).
import { RunCgroup } from "../run/process/cgroup.js";
import { newRunId } from "../run/run-id.js";

export interface RunStart {
  readonly runId: string;
  readonly cgroup: RunCgroup | null;
  /** Set when the run starts with this cgroup: from then on the run removes it. */
  taken: boolean;
}

/** A run's start, for argv that asks for one (`run`, not a plan or help); otherwise undefined. */
export function startRun(argv: readonly string[]): RunStart | undefined {
  if (argv[0] !== "run" || argv.some((a) => a === "--dry-run" || a === "--help" || a === "-h")) return;
  const runId = newRunId();
  return { runId, cgroup: RunCgroup.enter(runId), taken: false };
}

/** Undoes what a run's start did when the run did not start (a usage error, a file with mistakes). */
export async function abandonRun(start: RunStart | undefined): Promise<void> {
  if (start && !start.taken) await start.cgroup?.remove();
}
