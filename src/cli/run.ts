// `procflow run`: load and check the file, pick the reporters, run the graph, return its exit code.
import { randomUUID } from "node:crypto";
import { isatty } from "node:tty";
import { lateControl } from "../control/late.js";
import { ExitCode } from "../exit-codes.js";
import { selectJobs } from "../graph/select.js";
import { parseDuration } from "../load/duration.js";
import { loadFile } from "../load/index.js";
import { formatDiagnostics } from "../load/print.js";
import { didYouMean } from "../load/suggest.js";
import { createReporters, type OutputMode } from "../report/index.js";
import { streamSink } from "../report/sink.js";
import type { TuiView } from "../report/tui-view.js";
import { runGraph } from "../run/executor.js";
import { colorEnabled, colors } from "./color.js";
import { onStdoutBackpressure, writeOut } from "./output.js";
import { printPlan } from "./plan.js";

function warn(message: string) {
  process.stderr.write(`procflow: warning: ${message}\n`);
}

export interface RunFlags {
  concurrency?: number;
  output?: OutputMode;
  keepGoing?: boolean;
  failFast?: boolean;
  dryRun?: boolean;
  logDir?: string;
  junit?: string;
  env: Record<string, string>;
  timeout?: string;
  detach?: boolean;
  keepAlive?: boolean;
  /** false with --no-control. */
  control?: boolean;
  color?: boolean;
}

export async function runCommand(file: string, only: string[], flags: RunFlags): Promise<number> {
  const color = colorEnabled(process.stdout, flags.color);
  const c = colors(color);
  const errColor = colors(colorEnabled(process.stderr, flags.color));
  const timeoutMs = flags.timeout === undefined ? undefined : parseDuration(flags.timeout);
  if (flags.timeout !== undefined && timeoutMs === undefined) {
    process.stderr.write(`procflow run: --timeout "${flags.timeout}" is not a duration (use e.g. 30s, 5m)\n`);
    return ExitCode.usage;
  }
  const { diagnostics, graph } = await loadFile(file);
  process.stderr.write(formatDiagnostics(diagnostics, "text", errColor));
  if (!graph) return ExitCode.usage;

  const { unknown } = selectJobs(graph, only);
  if (unknown.length > 0) {
    const names = [...Object.keys(graph.families), ...graph.jobs.map((j) => j.name)];
    for (const name of unknown)
      process.stderr.write(`procflow run: no job named "${name}" in ${file}${didYouMean(name, names)}\n`);
    return ExitCode.usage;
  }
  const mode: OutputMode = flags.output ?? (process.stdout.isTTY && !process.env.CI ? "tui" : "lines");
  if (flags.dryRun) {
    writeOut(
      printPlan(graph, only, { json: mode === "json", concurrency: flags.concurrency, env: flags.env }, c),
    );
    return ExitCode.ok;
  }
  // The tui's keys, when a terminal is on stdin (loaded only then); no other mode reads stdin.
  const keys = mode === "tui" && isatty(0) ? await import("./tui-keys.js") : null;
  let view: TuiView | undefined;
  let stopKeys = () => {};
  const reporters = await createReporters(mode, graph, {
    sink: streamSink(process.stdout, writeOut),
    colors: c,
    logDir: flags.logDir,
    junit: flags.junit,
    onTuiView: keys
      ? (v) => {
          view = v;
        }
      : undefined,
  });
  const runId = randomUUID();
  const runMode = flags.keepAlive ? "keep-alive" : "run";
  const control = flags.control === false ? null : lateControl(graph, runId, runMode, warn);
  if (control) reporters.push(control.reporter);
  const result = await runGraph(graph, {
    runId,
    mode: runMode,
    onControl: (door) => {
      control?.open(door);
      if (keys && view) stopKeys = keys.startKeys(view, door);
    },
    leftovers: control?.files,
    only,
    concurrency: flags.concurrency,
    policy: flags.failFast ? "fail-fast" : flags.keepGoing ? "keep-going" : "finish",
    timeoutMs,
    env: flags.env,
    color,
    reporters,
    handleSignals: true,
    detach: flags.detach,
    onBackpressure: onStdoutBackpressure,
  }).finally(() => stopKeys());
  return result.exitCode;
}
