// The summary that ends every human output mode: one row per job and the totals.
import type { Colors } from "picocolors/types.js";
import { type EndState, type EventOf, matrixNodes, type RunEvent, unreachable } from "../events.js";
import { exitText, formatMs, plural, STATE_SYMBOL, shortResult, stateColor, visible } from "./format.js";

interface Row {
  job: string;
  daemon: boolean;
  state?: EndState;
  exit: string;
  durationMs?: number;
  attempts: number;
  pid?: number;
  result?: unknown;
}

/** Collects what the summary needs from the events. */
export class SummaryCollector {
  private rows = new Map<string, Row>();
  private end?: EventOf<"run:end">;

  event(e: RunEvent): void {
    switch (e.type) {
      case "run:start": {
        const daemons = new Set(e.daemons);
        for (const job of e.jobs)
          this.rows.set(job, { job, daemon: daemons.has(job), exit: "", attempts: 0 });
        break;
      }
      case "job:start": {
        const r = this.rows.get(e.job)!;
        r.attempts = e.attempt;
        r.pid = e.pid;
        break;
      }
      case "job:exit": {
        const r = this.rows.get(e.job)!;
        r.attempts = e.attempt;
        r.exit = exitText(e);
        r.durationMs = (r.durationMs ?? 0) + e.durationMs;
        if ("result" in e) r.result = e.result;
        break;
      }
      case "job:reused":
        if ("result" in e) this.rows.get(e.job)!.result = e.result;
        break;
      case "job:cached": {
        const r = this.rows.get(e.job)!;
        r.exit = `from ${e.fromRun.slice(0, 8)}`;
        if ("result" in e) r.result = e.result;
        break;
      }
      case "run:end":
        this.end = e;
        for (const [job, state] of Object.entries(e.jobs)) this.rows.get(job)!.state = state;
        break;
      case "job:matrix": {
        // The placeholder's row gives way to the instances, in its place.
        const rows = [...this.rows];
        const at = rows.findIndex(([job]) => job === e.placeholder);
        const { daemon } = rows[at]![1];
        const nodes = matrixNodes(e).map((job): [string, Row] => [
          job,
          { job, daemon, exit: "", attempts: 0 },
        ]);
        rows.splice(at, 1, ...nodes);
        this.rows = new Map(rows);
        break;
      }
      case "job:ready":
      case "job:health":
      case "job:stop":
      case "job:restart":
      case "job:skip":
      case "job:output":
      case "run:control":
      case "job:change":
        break;
      default:
        unreachable(e);
    }
  }

  render(c: Colors): string {
    const rows = [...this.rows.values()];
    const header = ["job", "state", "exit", "duration", "attempts", "pid"];
    const cells = rows.map((r) => [
      r.daemon ? `${visible(r.job)} (daemon)` : visible(r.job),
      r.state ?? "",
      r.exit || "-",
      r.durationMs === undefined ? "-" : formatMs(r.durationMs),
      r.attempts ? String(r.attempts) : "-",
      r.pid ? String(r.pid) : "-",
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
    const line = (cols: string[]) =>
      cols
        .map((s, i) => s.padEnd(widths[i]!))
        .join("  ")
        .trimEnd();
    let out = `\n  ${c.bold(line(header))}\n`;
    rows.forEach((r, i) => {
      const text = line(cells[i]!);
      const colored = r.state ? `${stateColor(c, r.state)(STATE_SYMBOL[r.state])} ${text}` : `  ${text}`;
      out += `${colored}${r.result != null ? c.dim(` → ${shortResult(r.result)}`) : ""}\n`;
    });
    const counts = new Map<EndState, number>();
    for (const r of rows) if (r.state) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
    const parts = [...counts].map(([s, n]) => stateColor(c, s)(`${n} ${s.replace("_", " ")}`));
    const e = this.end;
    const verdict = !e
      ? ""
      : e.state === "succeeded"
        ? c.green(c.bold("run succeeded"))
        : e.state === "interrupted"
          ? c.yellow(c.bold("run interrupted"))
          : c.red(c.bold("run failed"));
    out += `\n${plural(rows.length, "job")}: ${parts.join(", ")}${e ? ` · ${formatMs(e.durationMs)} · ${verdict} (exit ${e.exitCode})` : ""}\n`;
    return out;
  }
}
