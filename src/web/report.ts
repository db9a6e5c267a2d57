// `procflow report <run.json> [-o report.html]`: one self-contained HTML file (the page's script and
// style inlined, the run's events embedded as NDJSON, output lines as compact arrays) that shows the
// graph, the timeline, each job's output and the summary with no server and no network; a run that
// did not end, as it was at its last event. Written as run.json is read: output past 5 MB per job or
// 50 MB in all is left out, with a note per job.
import { once } from "node:events";
import { createWriteStream, existsSync, openSync, rmSync } from "node:fs";
import { basename } from "node:path";
import { ExitCode } from "../exit-codes.js";
import { systemError } from "../write-paths.js";
import { readAsset } from "./assets.js";
import { runJsonEvents } from "./run-json.js";

export const JOB_OUTPUT_LIMIT = 5_000_000;
export const TOTAL_OUTPUT_LIMIT = 50_000_000;

export async function writeReport(input: string, output: string): Promise<number> {
  if (!existsSync(input)) {
    process.stderr.write(`procflow report: no such file: ${input} (give the run.json of a --log-dir)\n`);
    return ExitCode.usage;
  }
  let fd: number;
  try {
    fd = openSync(output, "w");
  } catch (e) {
    process.stderr.write(`procflow report: cannot write ${output}: ${systemError(e)}\n`);
    return ExitCode.usage;
  }
  const out = createWriteStream(output, { fd });
  let buffered = "";
  const write = async (text: string, flush = false) => {
    buffered += text;
    if (buffered.length < 1 << 16 && !flush) return;
    const ok = out.write(buffered);
    buffered = "";
    if (!ok) await once(out, "drain");
  };
  const title = escapeHtml(`procflow report · ${basename(input)}`);
  await write(
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title>\n` +
      `<style>${readAsset("page.css")}</style></head>\n<body><div id="app">procflow report: loading…</div>\n` +
      `<script type="application/x-ndjson" id="procflow-events">\n`,
  );
  const budget = new OutputBudget();
  /**
   * Each job's index in run:start.jobs, then in the order run-time matrices named their instances
   * (job:matrix): an output line is written as `[index, 1 if stderr, line]` (model.ts reads it so).
   */
  let index = new Map<string, number>();
  let count = 0;
  /** The newest event's time (output lines are embedded without theirs), and whether the run ended. */
  let last = 0;
  let ended = false;
  let problem: string | null = null;
  try {
    for await (const e of runJsonEvents(input)) {
      count++;
      if (typeof e.time === "number") last = Math.max(last, e.time);
      if (e.type === "run:end") ended = true;
      if (e.type === "run:start" && Array.isArray(e.jobs))
        index = new Map(e.jobs.map((j, i) => [String(j), i]));
      if (e.type === "job:matrix" && Array.isArray(e.instances))
        for (const j of e.instances) index.set(String(j), index.size);
      const job = String(e.job);
      if (e.type !== "job:output") await write(embed(e));
      else if (index.has(job) && budget.keep(job, String(e.line)))
        await write(embed([index.get(job), e.stream === "stderr" ? 1 : 0, e.line]));
    }
  } catch (e) {
    problem = `${input} is not a run.json (${(e as Error).message})`;
  }
  if (!problem && count === 0) problem = `${input} holds no events (give the run.json of a --log-dir)`;
  if (problem) {
    out.destroy();
    rmSync(output, { force: true });
    process.stderr.write(`procflow report: ${problem}\n`);
    return ExitCode.usage;
  }
  for (const note of budget.notes()) await write(embed(note));
  // A run.json with no run:end (a killed run) is shown as it was at this time.
  if (!ended) await write(embed({ type: "report:last", time: last }));
  const script = readAsset("page.js")
    .toString()
    .replace(/<\/script/gi, "<\\/script");
  await write(`</script>\n<script>${script}</script>\n</body></html>\n`, true);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  process.stderr.write(`procflow report: wrote ${output}\n`);
  return ExitCode.ok;
}

/** Which output lines fit: 5 MB per job, 50 MB in all; what is left out is counted per job. */
class OutputBudget {
  private readonly kept = new Map<string, number>();
  private total = 0;
  private readonly cut = new Map<string, { lines: number; bytes: number }>();

  keep(job: string, line: string): boolean {
    const bytes = Buffer.byteLength(line) + 1;
    const kept = this.kept.get(job) ?? 0;
    if (kept + bytes <= JOB_OUTPUT_LIMIT && this.total + bytes <= TOTAL_OUTPUT_LIMIT) {
      this.kept.set(job, kept + bytes);
      this.total += bytes;
      return true;
    }
    const c = this.cut.get(job) ?? { lines: 0, bytes: 0 };
    c.lines++;
    c.bytes += bytes;
    this.cut.set(job, c);
    return false;
  }

  /** One `report:cut` item per job that lost lines (the page shows it as a note). */
  notes(): object[] {
    return [...this.cut].map(([job, c]) => ({ type: "report:cut", job, ...c }));
  }
}

/** One NDJSON line. `<` only ever appears inside JSON strings, where \u003c means the same: no `</script>` closes the data. */
const embed = (item: unknown) => `${JSON.stringify(item).replace(/</g, "\\u003c")}\n`;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
