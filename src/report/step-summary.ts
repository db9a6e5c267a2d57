// The Markdown step summary of `-o github`: a table of the jobs (state, duration, attempts) and the
// graph as a mermaid block coloured by end state, appended to $GITHUB_STEP_SUMMARY, kept well under
// GitHub's 1 MiB limit per step (for the whole file: what earlier steps appended counts).
import { appendFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import type { EndState, EventOf, RunEvent } from "../events.js";
import { systemError } from "../write-paths.js";
import { formatMs, STATE_SYMBOL } from "./format.js";

/** GitHub refuses a step summary over 1 MiB; what would pass that is cut with a note. */
const MAX_BYTES = 1000 * 1024;
/** Past this many instances the graph is left out (mermaid would not draw it anyway). */
const MAX_NODES = 200;

const FILL: Record<EndState, string> = {
  succeeded: "#c7f0d2",
  failed: "#f8c9c9",
  timed_out: "#f8c9c9",
  stopped: "#d6e4f5",
  skipped: "#eeeeee",
  reused: "#d2f0f0",
  cached: "#d2f0f0",
};

export class StepSummary {
  private start?: EventOf<"run:start">;
  private end?: EventOf<"run:end">;
  private readonly took = new Map<string, { ms: number; attempts: number }>();

  event(e: RunEvent): void {
    if (e.type === "run:start") this.start = e;
    else if (e.type === "run:end") this.end = e;
    else if (e.type === "job:exit") {
      const t = this.took.get(e.job) ?? { ms: 0, attempts: 0 };
      this.took.set(e.job, { ms: t.ms + e.durationMs, attempts: e.attempt });
    }
  }

  /** `room`: the most bytes it may take; what does not fit goes: first the graph, then rows (with a note). */
  render(room = MAX_BYTES): string {
    const start = this.start;
    const end = this.end;
    if (!start || !end) return "";
    const verdict =
      end.state === "succeeded"
        ? "✔ run succeeded"
        : end.state === "failed"
          ? "✖ run failed"
          : "■ run interrupted";
    let out = `### procflow · ${cell(basename(start.file))}\n\n${verdict} (exit ${end.exitCode}) in ${formatMs(end.durationMs)}\n\n`;
    out += "| job | state | duration | attempts |\n| --- | --- | --- | --- |\n";
    const rows = start.jobs.map((job) => {
      const state = end.jobs[job];
      const t = this.took.get(job);
      const shown = state ? `${STATE_SYMBOL[state]} ${state.replace("_", " ")}` : "";
      return `| ${cell(job)} | ${shown} | ${t ? formatMs(t.ms) : "-"} | ${t ? t.attempts : "-"} |\n`;
    });
    // 200: room for the note on rows left out.
    const head = Buffer.byteLength(out) + 200;
    if (head > room) return "";
    let graph = start.jobs.length <= MAX_NODES ? mermaid(start, end) : "";
    const table = rows.reduce((n, row) => n + Buffer.byteLength(row), 0);
    if (head + table + Buffer.byteLength(graph) > room) graph = "";
    let bytes = head + Buffer.byteLength(graph);
    for (const [i, row] of rows.entries()) {
      bytes += Buffer.byteLength(row);
      if (bytes > room) {
        out += `\n… ${rows.length - i} more jobs (see the log)\n`;
        return `${out}\n`;
      }
      out += row;
    }
    return `${out}\n${graph}`;
  }

  /** Appends the summary to `file` (GitHub makes it; else it is created); says why it could not. */
  appendTo(file: string): string | undefined {
    if (!this.start || !this.end) return undefined;
    let held = 0;
    try {
      held = statSync(file).size;
    } catch {} // what the append then says
    const text = this.render(MAX_BYTES - held);
    if (!text) return `it already holds ${held} bytes, too close to GitHub's 1 MiB limit`;
    try {
      appendFileSync(file, text);
      return undefined;
    } catch (e) {
      return systemError(e);
    }
  }
}

/**
 * Markdown table cell text: one line, pipes escaped, and `<`, `>`, `&` as entities: GitHub renders
 * HTML in a step summary, and a job or matrix name is not HTML.
 */
const cell = (s: string) =>
  s
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|");

function mermaid(start: EventOf<"run:start">, end: EventOf<"run:end">): string {
  const ids = new Map(start.jobs.map((j, i) => [j, `n${i}`]));
  const instancesOf = (job: string) => start.jobs.filter((j) => j === job || j.startsWith(`${job}[`));
  const lines = ["```mermaid", "flowchart LR"];
  const daemons = new Set(start.daemons);
  for (const job of start.jobs) {
    const label = job.replace(/"/g, "#quot;");
    lines.push(daemons.has(job) ? `  ${ids.get(job)}(["${label}"])` : `  ${ids.get(job)}["${label}"]`);
  }
  for (const job of start.jobs)
    for (const need of start.needs[job] ?? [])
      for (const from of instancesOf(need.job)) {
        const plainEdge = need.condition === "success" || need.condition === "ready";
        lines.push(`  ${ids.get(from)} ${plainEdge ? "-->" : `-.->|${need.condition}|`} ${ids.get(job)}`);
      }
  for (const [state, fill] of Object.entries(FILL)) lines.push(`  classDef ${state} fill:${fill}`);
  for (const job of start.jobs) {
    const state = end.jobs[job];
    if (state) lines.push(`  class ${ids.get(job)} ${state}`);
  }
  lines.push("```");
  return `${lines.join("\n")}\n`;
}
