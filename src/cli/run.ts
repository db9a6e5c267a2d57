// `procflow run`: load and check the file, pick the reporters, run the graph, return its exit code.
import { dirname, join, resolve } from "node:path";
import { isatty } from "node:tty";
import { cacheDirOf } from "../cache/dir.js";
import { lateControl } from "../control/late.js";
import type { RunMode } from "../events.js";
import { ExitCode } from "../exit-codes.js";
import { selectJobs } from "../graph/select.js";
import { parseDuration } from "../load/duration.js";
import { loadFile } from "../load/index.js";
import { formatDiagnostics } from "../load/print.js";
import { didYouMean } from "../load/suggest.js";
import { createReporters, type OutputMode } from "../report/index.js";
import { streamSink } from "../report/sink.js";
import type { TuiView } from "../report/tui-view.js";
import { EnvBuilder, loadDotenv } from "../run/env.js";
import { runGraph } from "../run/executor.js";
import { makeDir, systemError, unwritable } from "../write-paths.js";
import { colorEnabled, colors } from "./color.js";
import { leanRunFor, optimizerReporter } from "./lean-run.js";
import { onStdoutBackpressure, writeOut } from "./output.js";
import { printPlan } from "./plan.js";
import type { RunStart } from "./run-start.js";

const wantsUi = (flags: RunFlags) => flags.ui === true || flags.uiPort !== undefined;

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
    color: false,
  });
  const selected = only.length > 0 ? selectJobs(graph, only).selected : null;
  return cachePlan(graph, selected, cache, envs, warn);
}

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
  watch?: boolean;
  /** false with --no-control. */
  control?: boolean;
  ui?: boolean;
  /** --ui-port (implies --ui). */
  uiPort?: number;
  force?: boolean;
  forceJob: string[];
  /** false with --no-cache. */
  cache?: boolean;
  cacheDir?: string;
  color?: boolean;
  /** --rerun-failed: the run.json of the run to redo what failed of. */
  rerunFailed?: string;
}

/** `procflow run`; `start`: its id and cgroup, made before the options were parsed (run-start.ts). */
export async function runCommand(
  file: string,
  only: string[],
  flags: RunFlags,
  start: RunStart,
): Promise<number> {
  const color = colorEnabled(process.stdout, flags.color);
  const c = colors(color);
  const errColor = colors(colorEnabled(process.stderr, flags.color));
  const timeoutMs = flags.timeout === undefined ? undefined : parseDuration(flags.timeout);
  if (flags.timeout !== undefined && timeoutMs === undefined) {
    process.stderr.write(
      `procflow run: --timeout "${flags.timeout}" is not a duration of at most 24 days (use e.g. 30s, 5m)\n`,
    );
    return ExitCode.usage;
  }
  if (!flags.dryRun) leanRunFor(file);
  const { diagnostics, graph, includes } = await loadFile(file);
  process.stderr.write(formatDiagnostics(diagnostics, "text", errColor));
  const mode: OutputMode = flags.output ?? defaultMode();
  // GitHub shows annotations on the workflow run's page, where the log's text is out of sight.
  if (mode === "github" && diagnostics.length > 0) writeOut(formatDiagnostics(diagnostics, "github", c));
  if (!graph) return ExitCode.usage;
  if (!flags.dryRun) leanRunFor(file, { graph, caching: flags.cache !== false });
  await loadDotenv(graph.jobs);

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
  const reuse = flags.rerunFailed === undefined ? undefined : await reusable(graph, flags.rerunFailed);
  if (reuse === null) return ExitCode.usage;
  if (flags.dryRun) {
    const planOpts = { json: mode === "json", concurrency: flags.concurrency, env: flags.env };
    writeOut(
      printPlan(graph, only, { ...planOpts, cache: await planCache(graph, only, flags.env, cache) }, c),
    );
    return ExitCode.ok;
  }
  const unwritten = outputProblem(flags);
  if (unwritten) {
    process.stderr.write(`procflow run: ${unwritten}\n`);
    return ExitCode.usage;
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
    warn,
    onTuiView: keys
      ? (v) => {
          view = v;
        }
      : undefined,
  });
  const optimizer = optimizerReporter();
  if (optimizer) reporters.push(optimizer);
  const runMode: RunMode = flags.watch ? "watch" : flags.keepAlive ? "keep-alive" : "run";
  const control =
    flags.control === false && !wantsUi(flags)
      ? null
      : lateControl(
          graph,
          start.runId,
          runMode,
          { socket: flags.control !== false, inProcess: wantsUi(flags) },
          warn,
        );
  if (control) reporters.push(control.reporter);
  let ui: string | undefined;
  if (control && wantsUi(flags)) {
    await control.prepare();
    const { serveUi } = await import("../web/serve.js");
    const served = await serveUi(control.handle, flags.uiPort);
    if (typeof served === "string") {
      process.stderr.write(`procflow run: ${served} (choose another with --ui-port, or 0 for a free one)\n`);
      return ExitCode.usage;
    }
    // The token is shown here once and written nowhere else.
    process.stderr.write(`ui: ${served.url}#${served.token}\n`);
    reporters.push(served.closer);
    ui = served.url;
  }
  const watching = flags.watch ? await startWatching(graph, includes ?? [], only, flags) : null;
  start.taken = true;
  const result = await runGraph(graph, {
    runId: start.runId,
    cgroup: start.cgroup,
    mode: runMode,
    ui,
    onControl: (door) => {
      control?.open(door, ui);
      watching?.connect(door);
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
    reuse,
    cache,
    onWarning: warn,
  }).finally(() => stopKeys());
  await watching?.close();
  return result.exitCode;
}

/**
 * Why --junit or --log-dir cannot be written, found before any job starts rather than once they have
 * all run. Their folders are made here (a later usage error may leave them, empty).
 */
function outputProblem(flags: RunFlags): string | undefined {
  if (flags.junit) {
    // reports/junit.xml: its folder is made, as --log-dir's is.
    try {
      makeDir(dirname(resolve(flags.junit)));
    } catch (e) {
      return `--junit ${flags.junit}: cannot make its folder: ${systemError(e)}`;
    }
    const why = unwritable(flags.junit);
    if (why) return `--junit ${flags.junit}: cannot write that file: ${why}`;
  }
  if (!flags.logDir) return undefined;
  try {
    makeDir(flags.logDir);
  } catch (e) {
    return `--log-dir ${flags.logDir}: cannot make that folder: ${systemError(e)}`;
  }
  const why = unwritable(join(flags.logDir, "run.json"));
  return why && `--log-dir ${flags.logDir}: cannot write run.json there: ${why}`;
}

/** tui on a terminal (outside CI), github under GitHub Actions, lines otherwise. */
function defaultMode(): OutputMode {
  if (process.stdout.isTTY) return process.env.CI ? "lines" : "tui";
  return process.env.GITHUB_ACTIONS === "true" ? "github" : "lines";
}

/** The jobs that --rerun-failed reuses, or null (said on stderr) when it cannot. */
async function reusable(graph: Parameters<typeof runGraph>[0], runJson: string) {
  const { planRerun, readRun } = await import("../run/rerun.js");
  const earlier = readRun(runJson);
  const plan = "error" in earlier ? earlier : planRerun(graph, earlier);
  if ("reuse" in plan) return plan.reuse;
  process.stderr.write(`procflow run: --rerun-failed: ${plan.error}\n`);
  return null;
}

/** The file watcher of a `--watch` run, ready before any job starts; job files are not watched (SPEC §12). */
async function startWatching(
  graph: Parameters<typeof runGraph>[0],
  includes: readonly string[],
  only: string[],
  flags: RunFlags,
) {
  const { startWatching } = await import("../watch/index.js");
  const { stateDirPath } = await import("../control/state-dir.js");
  const selected = only.length > 0 ? selectJobs(graph, only).selected : null;
  const ignored = [graph.file, ...includes, stateDirPath(), flags.logDir, flags.junit].flatMap((p) =>
    p ? [resolve(p)] : [],
  );
  return startWatching({
    jobs: graph.jobs.filter((j) => !selected || selected.has(j.name)),
    ignored,
    warn: (message) => warn(message),
  });
}
