// `procflow run`: load and check the file, pick the reporters, run the graph, return its exit code.
import { randomUUID } from "node:crypto";
import { cacheDirOf } from "../cache/dir.js";
import { ExitCode } from "../exit-codes.js";
import { selectJobs } from "../graph/select.js";
import { parseDuration } from "../load/duration.js";
import { loadFile } from "../load/index.js";
import { formatDiagnostics } from "../load/print.js";
import { didYouMean } from "../load/suggest.js";
import { createReporters, type OutputMode } from "../report/index.js";
import { streamSink } from "../report/sink.js";
import { EnvBuilder } from "../run/env.js";
import { runGraph } from "../run/executor.js";
import { colorEnabled, colors } from "./color.js";
import { onStdoutBackpressure, writeOut } from "./output.js";
import { printPlan } from "./plan.js";

/** The run's control endpoint, or null (with a warning on stderr) when it cannot have one. */
async function openControl(graph: Parameters<typeof runGraph>[0], runId: string, mode: "run" | "keep-alive") {
  const { prepareControl } = await import("../control/server.js");
  const prepared = prepareControl(graph, runId, mode);
  if ("warning" in prepared) {
    warn(prepared.warning);
    return null;
  }
  return prepared.endpoint;
}

/** For `--dry-run`: whether each cacheable job would run or be cached (the cache's modules load only then). */
async function planCache(
  graph: Parameters<typeof runGraph>[0],
  only: string[],
  env: Record<string, string>,
  cache: import("../run/cache-hook.js").CacheOptions | undefined,
) {
  if (!cache || !graph.jobs.some((j) => j.cache)) return undefined;
  const { cachePlan } = await import("../cache/plan.js");
  const envs = new EnvBuilder({
    base: process.env,
    overrides: env,
    runId: "",
    file: graph.file,
    color: false,
  });
  const selected = only.length > 0 ? selectJobs(graph, only).selected : null;
  return cachePlan(graph, selected, cache, envs, warn);
}

function warn(message: string | null) {
  if (message) process.stderr.write(`procflow: warning: ${message}\n`);
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
  force?: boolean;
  forceJob: string[];
  /** false with --no-cache. */
  cache?: boolean;
  cacheDir?: string;
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
  const forced = flags.forceJob.find(
    (j) => !Object.hasOwn(graph.families, j) && !graph.jobs.some((i) => i.name === j),
  );
  if (forced !== undefined) {
    process.stderr.write(`procflow run: --force-job ${forced}: no job named "${forced}" in ${file}\n`);
    return ExitCode.usage;
  }
  const cache =
    flags.cache === false
      ? undefined
      : { dir: cacheDirOf(file, flags.cacheDir), forceAll: flags.force, forceJobs: flags.forceJob };
  const mode: OutputMode = flags.output ?? (process.stdout.isTTY && !process.env.CI ? "tui" : "lines");
  if (flags.dryRun) {
    const planOpts = { json: mode === "json", concurrency: flags.concurrency, env: flags.env };
    writeOut(
      printPlan(graph, only, { ...planOpts, cache: await planCache(graph, only, flags.env, cache) }, c),
    );
    return ExitCode.ok;
  }
  const reporters = await createReporters(mode, graph, {
    sink: streamSink(process.stdout, writeOut),
    colors: c,
    logDir: flags.logDir,
    junit: flags.junit,
  });
  const runId = randomUUID();
  const runMode = flags.keepAlive ? "keep-alive" : "run";
  const control = flags.control === false ? null : await openControl(graph, runId, runMode);
  if (control) reporters.push(...control.reporters);
  const result = await runGraph(graph, {
    runId,
    mode: runMode,
    onControl: control ? (door) => void control.listen(door).then(warn) : undefined,
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
    cache,
    onWarning: warn,
  });
  return result.exitCode;
}
