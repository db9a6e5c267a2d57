// The reporters of a run, chosen by output mode and flags; each one subscribes to the event stream.

import type { Colors } from "picocolors/types.js";
import type { Reporter } from "../events.js";
import type { JobGraph } from "../graph/types.js";
import { position } from "../load/diagnostic.js";
import { workspacePath } from "../workflow-commands.js";
import { groupedReporter } from "./grouped.js";
import { jsonReporter } from "./json.js";
import { linesReporter } from "./lines.js";
import type { Sink } from "./sink.js";
import type { TuiView } from "./tui-view.js";

export type OutputMode = "tui" | "lines" | "grouped" | "json" | "quiet" | "github";

export interface ReporterOptions {
  readonly sink: Sink;
  readonly colors: Colors;
  readonly logDir?: string;
  readonly junit?: string;
  /** Receives what the tui's keys can ask of the tui (called only when the tui is used). */
  readonly onTuiView?: (view: TuiView) => void;
  /**
   * Told when a file written after the run (--junit, the step summary) cannot be: that does not undo
   * the run, nor change its exit code. Default: a warning on stderr.
   */
  readonly warn?: (message: string) => void;
}

export async function createReporters(
  mode: OutputMode,
  graph: JobGraph,
  opts: ReporterOptions,
): Promise<Reporter[]> {
  const { sink, colors } = opts;
  const warn = opts.warn ?? ((m: string) => void process.stderr.write(`procflow: warning: ${m}\n`));
  const reporters: Reporter[] = [];
  // A terminal that cannot move its cursor (TERM=dumb: Emacs's shell, some CI consoles) gets lines.
  switch (mode === "tui" && process.env.TERM === "dumb" ? "lines" : mode) {
    case "json":
      reporters.push(jsonReporter(sink));
      break;
    case "lines":
      reporters.push(linesReporter(sink, colors));
      break;
    case "grouped":
    case "quiet":
      reporters.push(groupedReporter(sink, colors, mode === "quiet"));
      break;
    case "github": {
      const { githubReporter } = await import("./github.js");
      reporters.push(githubReporter(sink, colors, jobPlaces(graph), warn));
      break;
    }
    case "tui": {
      // Loaded only when used: listr2 is the heaviest module procflow has.
      const { tuiReporter } = await import("./tui.js");
      reporters.push(tuiReporter(sink, colors, undefined, opts.onTuiView));
      break;
    }
  }
  if (opts.logDir) reporters.push((await import("./log-dir.js")).logDirReporter(opts.logDir, warn));
  if (opts.junit) reporters.push((await import("./junit.js")).junitReporter(opts.junit, graph.name, warn));
  return reporters;
}

/** Each job's file (as `file=` names it) and line, for `-o github`'s annotations. */
function jobPlaces(graph: JobGraph): Map<string, { file: string; line: number }> {
  const places = new Map<string, { file: string; line: number }>();
  for (const job of graph.jobs) {
    const file = workspacePath(job.source.file.path);
    places.set(job.name, { file, line: position({ source: job.source.file, range: job.source.range }).line });
  }
  return places;
}
