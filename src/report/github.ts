// `-o github` (SPEC §16): the grouped blocks as GitHub Actions log groups, each job's output fenced
// by `::stop-commands::` so that it can neither close its group nor issue workflow commands; a failed
// job's `::error` annotation at its line in the file that declares it (a job stopped because the run
// was cut short too: by --timeout, an interrupt, --fail-fast); then the summary, and a Markdown step
// summary appended to $GITHUB_STEP_SUMMARY.
import { randomBytes } from "node:crypto";
import type { Colors } from "picocolors/types.js";
import type { EventOf, Reporter, RunEvent } from "../events.js";
import { escapeData, escapeProperty } from "../workflow-commands.js";
import { exitLine, formatMs, STATE_SYMBOL, visible } from "./format.js";
import { type Framing, groupedReporter } from "./grouped.js";
import type { Sink } from "./sink.js";
import { StepSummary } from "./step-summary.js";

/** Where a job is declared, for its annotation: the file (relative to the workspace) and line. */
export type JobPlaces = ReadonlyMap<string, { readonly file: string; readonly line: number }>;

const TAIL_LINES = 10;
/** Stops that cut a job's work short because the run was (not a daemon's end, not `ctl stop`). */
const CUT_SHORT = new Set(["run-timeout", "interrupt", "fail-fast", "parent-exit"]);
const ANSI = /\u001b\[[0-9;]*m/g;

export function githubReporter(
  sink: Sink,
  c: Colors,
  places: JobPlaces,
  warn: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Reporter {
  const tails = new Map<string, string[]>();
  /** Why each non-daemon job was last stopped, if the run was cut short. */
  const cutShort = new Map<string, string>();
  let daemons: ReadonlySet<string> = new Set();
  const framing: Framing = {
    block(job, title, exit) {
      const token = randomBytes(16).toString("hex");
      const head = exit
        ? `${STATE_SYMBOL[exit.state]} ${job} (${exit.state.replace("_", " ")}, ${formatMs(exit.durationMs)})`
        : title.replace(ANSI, "");
      const stopped = exit?.state === "stopped" ? cutShort.get(job) : undefined;
      const failed = exit && (exit.state === "failed" || exit.state === "timed_out" || stopped !== undefined);
      return {
        head: `::group::${escapeData(visible(head))}\n::stop-commands::${token}\n`,
        foot: `::${token}::\n::endgroup::\n${failed ? annotation(exit, places.get(job), tails.get(job) ?? [], stopped) : ""}`,
      };
    },
    line: (title) => `${title}\n`,
  };
  const grouped = groupedReporter(sink, c, false, framing);
  const summaryFile = env.GITHUB_STEP_SUMMARY;
  const stepSummary = summaryFile ? new StepSummary() : null;
  return {
    event(e: RunEvent) {
      stepSummary?.event(e);
      if (e.type === "job:output") keepTail(tails, e);
      else if (e.type === "job:start") {
        tails.delete(e.job);
        cutShort.delete(e.job);
      } else if (e.type === "run:start") daemons = new Set(e.daemons);
      else if (e.type === "job:stop" && CUT_SHORT.has(e.reason) && !daemons.has(e.job))
        cutShort.set(e.job, e.reason);
      grouped.event(e);
    },
    async close() {
      await grouped.close?.();
      const problem = summaryFile ? stepSummary!.appendTo(summaryFile) : undefined;
      if (problem)
        warn(`the step summary was not appended to ${summaryFile} ($GITHUB_STEP_SUMMARY): ${problem}`);
    },
  };
}

/** `::error file=…,line=…,title=build failed::<how it ended>` and the job's last lines. */
function annotation(
  e: EventOf<"job:exit">,
  place: { file: string; line: number } | undefined,
  tail: readonly string[],
  stopped?: string,
): string {
  const props = [
    ...(place ? [`file=${escapeProperty(place.file)}`, `line=${place.line}`] : []),
    `title=${escapeProperty(`${e.job} ${e.state.replace("_", " ")}`)}`,
  ];
  const message = [stopped ? `stopped (${stopped})` : exitLine(e), ...tail].join("\n");
  return `::error ${props.join(",")}::${escapeData(message)}\n`;
}

function keepTail(tails: Map<string, string[]>, e: EventOf<"job:output">) {
  const tail = tails.get(e.job) ?? [];
  tails.set(e.job, tail);
  const lines = e.data.toString("utf8", 0, e.data.length - 1).split("\n");
  tail.push(...lines.slice(-TAIL_LINES).map((l) => l.replace(ANSI, "")));
  if (tail.length > TAIL_LINES) tail.splice(0, tail.length - TAIL_LINES);
}
