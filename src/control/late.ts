// The control endpoint, opened off the path to the first spawn (SPEC §11, issue 21): the run starts at
// once; the endpoint's module loads meanwhile, receives the events it missed, then listens.
import type { Reporter, RunEvent, RunMode } from "../events.js";
import type { JobGraph } from "../graph/types.js";
import type { RunControl } from "../run/control.js";
import type { ControlEndpoint } from "./server.js";
import { recordPath, socketPath, stateDirPath } from "./state-dir.js";

export interface LateControl {
  /** Receives every event of the run (buffered until the endpoint is ready). */
  readonly reporter: Reporter;
  /** The endpoint's files, for the watchdog to remove if procflow dies. */
  readonly files: readonly string[];
  /** Opens the endpoint once the run has its door. */
  open(door: RunControl): void;
}

export function lateControl(
  graph: JobGraph,
  runId: string,
  mode: RunMode,
  warn: (message: string) => void,
): LateControl {
  const dir = stateDirPath();
  let endpoint: ControlEndpoint | null = null;
  let opening: Promise<void> = Promise.resolve();
  const missed: RunEvent[] = [];
  return {
    files: [socketPath(dir, runId), recordPath(dir, runId)],
    open(door) {
      opening = import("./server.js").then(async ({ prepareControl }) => {
        const prepared = prepareControl(graph, runId, mode);
        if ("warning" in prepared) return warn(prepared.warning);
        for (const e of missed.splice(0)) for (const r of prepared.endpoint.reporters) r.event(e);
        endpoint = prepared.endpoint;
        const problem = await endpoint.listen(door);
        if (problem) warn(problem);
      });
    },
    reporter: {
      event(e) {
        if (endpoint) for (const r of endpoint.reporters) r.event(e);
        else missed.push(e);
      },
      async close() {
        await opening;
        missed.length = 0;
        await Promise.all((endpoint?.reporters ?? []).map((r) => r.close?.()));
      },
    },
  };
}
