// The reporters of a run, chosen by output mode and flags; each one subscribes to the event stream.
import type { Colors } from "picocolors/types.js";
import type { Reporter } from "../events.js";
import type { JobGraph } from "../graph/types.js";
import { jsonReporter } from "./json.js";
import { linesReporter } from "./lines.js";

export type OutputMode = "tui" | "lines" | "grouped" | "json" | "quiet";

export interface ReporterOptions {
  readonly write: (chunk: string | Buffer) => void;
  readonly colors: Colors;
  readonly logDir?: string;
  readonly junit?: string;
}

export async function createReporters(
  mode: OutputMode,
  graph: JobGraph,
  opts: ReporterOptions,
): Promise<Reporter[]> {
  const daemons = new Set(graph.jobs.filter((j) => j.daemon).map((j) => j.name));
  const reporters: Reporter[] = [];
  switch (mode) {
    case "json":
      reporters.push(jsonReporter(opts.write));
      break;
    default:
      reporters.push(linesReporter(opts.write, opts.colors, daemons));
      break;
  }
  return reporters;
}
