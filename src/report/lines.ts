// `-o lines`: every output line as it comes, prefixed with its job's name (padded to a common
// width, a colour per job), plus one line per state change; the summary at the end. Output lines
// are prefixed as bytes, a chunk at a time: no decoding, no object per line.
import type { Colors } from "picocolors/types.js";
import type { Reporter, RunEvent } from "../events.js";
import { exitText, formatMs, jobColor, STATE_SYMBOL, shortResult, stateColor } from "./format.js";
import { SummaryCollector } from "./summary.js";

const MAX_PREFIX = 32;
const NL = 0x0a;

export function linesReporter(
  write: (chunk: string | Buffer) => void,
  c: Colors,
  daemons: ReadonlySet<string>,
): Reporter {
  const summary = new SummaryCollector(daemons);
  const prefixes = new Map<string, { out: Buffer; err: Buffer; label: string }>();
  let width = 0;

  const prefix = (job: string) => {
    let p = prefixes.get(job);
    if (!p) {
      const name = job.length > width ? job : job.padEnd(width);
      const color = jobColor(c, prefixes.size);
      const label = color(name.length > MAX_PREFIX ? `${name.slice(0, MAX_PREFIX - 1)}…` : name);
      p = { out: Buffer.from(`${label} ${c.dim("|")} `), err: Buffer.from(`${label} ${c.red("!")} `), label };
      prefixes.set(job, p);
    }
    return p;
  };
  const status = (job: string, text: string) => write(`${prefix(job).label} ${text}\n`);

  return {
    event(e: RunEvent) {
      summary.event(e);
      switch (e.type) {
        case "run:start":
          for (const j of e.jobs) width = Math.min(MAX_PREFIX, Math.max(width, j.length));
          for (const j of e.jobs) prefix(j);
          break;
        case "job:output":
          write(prefixLines(e.data, e.stream === "stdout" ? prefix(e.job).out : prefix(e.job).err));
          break;
        case "job:start":
          status(
            e.job,
            c.dim(
              `▶ started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ""}, pid ${e.pid}: ${e.argv.join(" ")}`,
            ),
          );
          break;
        case "job:ready":
          status(e.job, c.green("● ready"));
          break;
        case "job:health":
          status(
            e.job,
            e.ok ? c.green(`♥ healthy again: ${e.message}`) : c.yellow(`♡ health check failed: ${e.message}`),
          );
          break;
        case "job:stop":
          status(e.job, c.yellow(`■ stopping with ${e.signal} (${e.reason})`));
          break;
        case "job:exit": {
          const color = stateColor(c, e.state);
          const result = "result" in e ? ` → ${shortResult(e.result)}` : "";
          const error = e.error ? `: ${e.error}` : "";
          status(
            e.job,
            color(
              `${STATE_SYMBOL[e.state]} ${e.state.replace("_", " ")} (${exitText(e)}) in ${formatMs(e.durationMs)}${error}${result}`,
            ),
          );
          break;
        }
        case "job:restart":
          status(e.job, c.yellow(`↻ restarting in ${formatMs(e.delayMs)} (attempt ${e.attempt})`));
          break;
        case "job:skip":
          status(e.job, c.dim(`${STATE_SYMBOL.skipped} skipped: ${e.reason}`));
          break;
        case "run:end":
          write(summary.render(c));
          break;
        default: {
          const never: never = e;
          throw new Error(`unhandled event ${(never as RunEvent).type}`);
        }
      }
    },
  };
}

/** Inserts `prefix` before every line of `data` (complete lines, each ending in "\n"). */
export function prefixLines(data: Buffer, prefix: Buffer): Buffer {
  let lines = 0;
  for (let i = data.indexOf(NL); i !== -1; i = data.indexOf(NL, i + 1)) lines++;
  const out = Buffer.allocUnsafe(data.length + lines * prefix.length);
  let o = 0;
  let start = 0;
  while (start < data.length) {
    const end = data.indexOf(NL, start) + 1;
    o += prefix.copy(out, o);
    o += data.copy(out, o, start, end);
    start = end;
  }
  return out;
}
