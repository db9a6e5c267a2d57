// `-o tui`: a live listr2 task list, one row per job (state, duration, latest output line), daemons
// marked, a failed job's last lines kept on screen; the summary after it. When there are more jobs
// than the terminal has rows, one row shows the counts and the running jobs' latest lines instead.
// Under the list, what the keys asked for (tui-view.ts): the selected job, its last lines, words.
// The live frame always fits the terminal: lines that scrolled away could not be redrawn, and would
// stay behind in the scrollback. procflow, not listr2, owns signals and the exit code.
import { Listr, type ListrTaskWrapper, type SimpleRenderer } from "listr2";
import type { Colors } from "picocolors/types.js";
import type { EndState, Reporter, RunEvent } from "../events.js";
import { changeText, exitLine, formatMs, plural } from "./format.js";
import { forEachLastLines } from "./last-lines.js";
import type { Sink } from "./sink.js";
import { SummaryCollector } from "./summary.js";
import { KeyView, PANEL_LINES, TuiRenderer, type TuiView } from "./tui-view.js";
import { cachedText, reusedText, skipReason } from "./words.js";

/** Output shown under a row at most this often (lines can arrive much faster). */
const REFRESH_MS = 100;
const FAILED_LINES = 5;

type Task = ListrTaskWrapper<unknown, typeof TuiRenderer, typeof SimpleRenderer>;

interface Row {
  job: string;
  daemon: boolean;
  /** listr2 runs the row's task a little after the run started: until then, state waits here. */
  task?: Task;
  done?: (error?: Error) => void;
  title: string;
  /** The words of the row's current state, shown with the time the job has run so far. */
  status: string;
  end?: { error?: Error; skip?: string };
  started?: number;
  lines: string[];
  /** What the row's task shows under its title now. */
  shown: string;
  ending?: Extract<RunEvent, { type: "job:exit" }>;
  /** A live run (keep-alive, watch) may run the job again: its task waits for the run's end. */
  hold?: boolean;
  /** The state it ended in, as counted in compact mode. */
  endedAs?: string;
}

/** The last `n` lines (none when `n` is 0 or less). */
const last = (lines: string[], n: number) => (n > 0 ? lines.slice(-n) : []);

/** Shows a row's state on its task, once the task exists; settles the task once the row has ended. */
function apply(row: Row) {
  const task = row.task;
  if (!task) return;
  task.title = row.title;
  const end = row.end;
  if (!end || !row.done || row.hold) return;
  const done = row.done;
  row.done = undefined;
  // What stays under the row once the run has ended (refresh trims it while the frame is short of room).
  task.output = row.shown = end.error ? last(row.lines, FAILED_LINES).join("\n") : "";
  if (end.skip !== undefined) {
    task.skip(end.skip);
    done();
  } else done(end.error);
}

/** `onView` receives what the tui's keys can ask of it. */
export function tuiReporter(
  sink: Sink,
  c: Colors,
  rows = terminalSize().rows,
  onView?: (view: TuiView) => void,
): Reporter {
  const summary = new SummaryCollector();
  const byJob = new Map<string, Row>();
  const view = new KeyView(c, () => {
    for (const row of byJob.values()) title(row, row.status);
    refresh();
  });
  onView?.(view);
  let footer: string[] = [];
  let listr: Promise<unknown> = Promise.resolve();
  let compact: {
    task?: Task;
    done?: (error?: Error) => void;
    counts: Map<string, number>;
    running: Set<string>;
    failures: string[];
    ended: boolean;
  } | null = null;
  let runEnded = false;
  const timer = setInterval(refresh, REFRESH_MS);
  timer.unref();

  function refresh() {
    // The footer first: the user asked for it. Then at least one line of output stays free.
    const fixed = compact ? 1 : byJob.size;
    footer = view.footer((job) => byJob.get(job)?.lines ?? [], rows - 3 - fixed, terminalSize().columns);
    if (compact?.task) {
      const counts = [...compact.counts].filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`);
      compact.task.title = `${plural(byJob.size, "job")}: ${counts.join(", ")}`;
      compact.task.output = [...compact.running]
        .slice(0, Math.max(1, rows - 6 - footer.length))
        .map((j) => `${j}: ${byJob.get(j)!.lines.at(-1) ?? ""}`)
        .join("\n");
      return;
    }
    // A title per job; then a failed job's last lines, then the latest line of each running job, as
    // long as there is room (log-update writes the frame and a newline: one row stays free). Once the
    // run has ended, the frame is written once and never redrawn: every failure shows all its lines.
    let room = runEnded ? Number.POSITIVE_INFINITY : rows - 1 - byJob.size - footer.length;
    const show = (row: Row, lines: string[]) => {
      room -= lines.length;
      const text = lines.join("\n");
      if (row.task && text !== row.shown) row.task.output = row.shown = text;
    };
    const failed = (row: Row) => row.end?.error !== undefined;
    for (const row of byJob.values()) {
      if (row.started !== undefined && !row.end) title(row, row.status);
      if (failed(row)) show(row, last(row.lines, Math.min(FAILED_LINES, room)));
    }
    for (const row of byJob.values())
      if (!failed(row)) show(row, row.end ? [] : last(row.lines, Math.min(1, room)));
  }

  /** Ends the compact row once both the run and its task exist; what stays on screen: the failures. */
  function settleCompact() {
    const task = compact?.task;
    if (!compact || !task || !compact.done) return;
    refresh();
    task.output = compact.failures.join("\n");
    const done = compact.done;
    compact.done = undefined;
    done(compact.failures.length > 0 ? new Error(task.title) : undefined);
  }

  const title = (row: Row, text: string) => {
    row.status = text;
    const elapsed =
      row.started !== undefined && !row.end ? c.dim(` ${formatMs(Date.now() - row.started)}`) : "";
    const mark = view.selected === row.job ? c.bold("▸ ") : "";
    row.title = `${mark}${row.job}${row.daemon ? c.dim(" (daemon)") : ""} ${text}${elapsed}`;
    apply(row);
  };

  const count = (from: string | null, to: string | null) => {
    if (!compact) return;
    if (from) compact.counts.set(from, (compact.counts.get(from) ?? 1) - 1);
    if (to) compact.counts.set(to, (compact.counts.get(to) ?? 0) + 1);
  };

  /** Settles a row once it is clear that no restart follows its job:exit. */
  /** A matrix built at run time: its instances have no rows; its placeholder's row counts their ends. */
  const built = new Map<string, { row: Row; total: number; ended: Set<string>; failed: Set<string> }>();
  const instanceEnded = (job: string, failed: boolean) => {
    const g = built.get(job);
    if (!g || g.row.end) return;
    g.ended.add(job);
    if (failed) g.failed.add(job);
    else g.failed.delete(job);
    const failures = g.failed.size ? `, ${g.failed.size} failed` : "";
    if (g.ended.size === g.total)
      g.row.end = g.failed.size
        ? { error: new Error(`${g.row.job}: ${g.failed.size} of ${g.total} instances failed`) }
        : {};
    title(g.row, c.dim(`${g.ended.size} of ${plural(g.total, "instance")} ended${failures}`));
  };

  const settle = (row: Row, state: EndState, text: string) => {
    row.endedAs = state.replace("_", " ");
    instanceEnded(row.job, state === "failed" || state === "timed_out");
    count("running", row.endedAs);
    compact?.running.delete(row.job);
    const failed = state === "failed" || state === "timed_out";
    if (failed)
      compact?.failures.push(
        `${c.red(`✖ ${row.job} ${text}`)}\n${last(row.lines, FAILED_LINES)
          .map((l) => `  ${l}`)
          .join("\n")}`,
      );
    row.end = failed ? { error: new Error(`${row.job} ${text}`) } : {};
    title(row, text);
  };

  return {
    event(e: RunEvent) {
      summary.event(e);
      switch (e.type) {
        case "run:start": {
          const daemons = new Set(e.daemons);
          for (const job of e.jobs) {
            const row: Row = {
              job,
              daemon: daemons.has(job),
              title: job,
              status: "",
              lines: [],
              shown: "",
              hold: e.mode !== "run",
            };
            byJob.set(job, row);
            title(row, c.dim("waiting"));
          }
          view.start(e.jobs);
          const rowsFit = e.jobs.length <= rows - 4;
          if (!rowsFit)
            compact = {
              counts: new Map([["waiting", e.jobs.length]]),
              running: new Set(),
              failures: [],
              ended: false,
            };
          const tasks = rowsFit
            ? [...byJob.values()].map((row) => ({
                title: row.job,
                task: (_: unknown, task: Task) =>
                  new Promise<void>((resolve, reject) => {
                    row.task = task;
                    row.done = (error?: Error) => (error ? reject(error) : resolve());
                    apply(row);
                  }),
                // One output at a time: listr2 would keep that many earlier outputs on screen.
                rendererOptions: { persistentOutput: true, outputBar: 1 },
              }))
            : [
                {
                  title: plural(e.jobs.length, "job"),
                  task: (_: unknown, task: Task) =>
                    new Promise<void>((resolve, reject) => {
                      compact!.task = task;
                      compact!.done = (error?: Error) => (error ? reject(error) : resolve());
                      // The run may have ended before listr2 ran this task.
                      if (compact!.ended) settleCompact();
                    }),
                  rendererOptions: { outputBar: 1, persistentOutput: true },
                },
              ];
          listr = new Listr(tasks, {
            concurrent: true,
            exitOnError: false,
            registerSignalListeners: false,
            renderer: TuiRenderer,
            rendererOptions: {
              collapseErrors: false,
              formatOutput: "truncate",
              showErrorMessage: true,
              keys: { footer: () => footer, end: () => view.end() },
            },
          })
            .run()
            .catch(() => {});
          return;
        }
        case "job:output": {
          const row = byJob.get(e.job)!;
          forEachLastLines(e.data, PANEL_LINES, row.lines);
          return;
        }
        case "job:start": {
          const row = byJob.get(e.job)!;
          if (e.attempt === 1) count("waiting", "running");
          else if (row.end) {
            // A job that had ended runs again (a restart on request, a change): the same row, a new attempt.
            count(row.endedAs ?? null, "running");
            row.end = undefined;
          }
          compact?.running.add(e.job);
          row.started ??= e.time;
          title(row, c.dim(`running, pid ${e.pid}${e.attempt > 1 ? `, attempt ${e.attempt}` : ""}`));
          return;
        }
        case "job:ready":
          title(byJob.get(e.job)!, c.green("ready"));
          return;
        case "job:health":
          title(byJob.get(e.job)!, e.ok ? c.green("healthy") : c.yellow(`unhealthy: ${e.message}`));
          return;
        case "job:stop":
          title(byJob.get(e.job)!, c.yellow(`stopping (${e.reason}, ${e.signal})`));
          return;
        case "job:restart":
          byJob.get(e.job)!.ending = undefined;
          title(byJob.get(e.job)!, c.yellow(`restarting in ${formatMs(e.delayMs)}`));
          return;
        case "job:exit": {
          const row = byJob.get(e.job)!;
          row.ending = e;
          // A restart, if any, is announced right after this event: settle once it had its chance.
          queueMicrotask(() => {
            if (row.ending !== e) return;
            settle(row, e.state, exitLine(e, Date.now() - (row.started ?? e.time), 40));
          });
          return;
        }
        case "job:cached":
          count("waiting", "running");
          settle(byJob.get(e.job)!, "cached", cachedText(e));
          return;
        case "job:skip": {
          const row = byJob.get(e.job)!;
          count("waiting", "skipped");
          row.end = { skip: `${row.job} skipped: ${skipReason(e)}` };
          apply(row);
          instanceEnded(e.job, false);
          return;
        }
        case "job:matrix": {
          // The placeholder's row counts the instances' ends; each instance is in the summary.
          const row = byJob.get(e.placeholder)!;
          if (e.instances.length === 0) {
            byJob.delete(e.placeholder);
            byJob.set(e.job, row);
            return;
          }
          compact?.counts.set("waiting", (compact.counts.get("waiting") ?? 1) - 1 + e.instances.length);
          const group = {
            row,
            total: e.instances.length,
            ended: new Set<string>(),
            failed: new Set<string>(),
          };
          for (const job of e.instances) {
            byJob.set(job, { job, daemon: row.daemon, title: job, status: "", lines: [], shown: "" });
            built.set(job, group);
          }
          title(row, c.dim(`0 of ${plural(e.instances.length, "instance")} ended`));
          return;
        }
        case "job:reused": {
          const row = byJob.get(e.job)!;
          count("waiting", "reused");
          row.end = { skip: `${row.job} ${reusedText(e)}` };
          apply(row);
          return;
        }
        case "job:change":
          title(byJob.get(e.job)!, c.yellow(changeText(e)));
          return;
        case "run:control":
          return;
        case "run:end":
          runEnded = true;
          for (const row of byJob.values()) row.hold = false;
          refresh();
          // Every row ends with the run, whatever it saw before (listr2 waits for all of them).
          for (const row of byJob.values()) {
            if (row.end) {
              apply(row); // held until now in a live run
              continue;
            }
            const state = e.jobs[row.job] ?? "stopped";
            row.end =
              state === "failed" || state === "timed_out" ? { error: new Error(`${row.job} ${state}`) } : {};
            apply(row);
          }
          if (compact) {
            compact.ended = true;
            settleCompact();
          }
          return;
        default: {
          const never: never = e;
          throw new Error(`unhandled event ${(never as RunEvent).type}`);
        }
      }
    },
    async close() {
      clearInterval(timer);
      await listr;
      sink.write(summary.render(c));
    },
  };
}

/**
 * The terminal's size; one that reports none (0×0: some CI pseudo-terminals) is drawn as 80×24, for
 * listr2 too, which would otherwise cut every row to nothing.
 */
function terminalSize(): { rows: number; columns: number } {
  const out = process.stdout;
  if (!out.columns) out.columns = 80;
  if (!out.rows) out.rows = 24;
  return { rows: out.rows, columns: out.columns };
}
