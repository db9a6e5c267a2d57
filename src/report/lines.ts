// `-o lines`: every output line as it comes, prefixed with its job's name (padded to a common
// width, a colour per job), plus one line per state change; the summary at the end. Output lines
// are prefixed as bytes, a chunk at a time: no decoding, no object per line.
import type { Colors } from "picocolors/types.js";
import type { Reporter, RunEvent } from "../events.js";
import { jobColor, stateText } from "./format.js";
import type { Sink } from "./sink.js";
import { SummaryCollector } from "./summary.js";

const MAX_PREFIX = 32;
const NL = 0x0a;

/** Labels for each job: its name padded to a common width, in its colour. */
export class Labels {
  private readonly labels = new Map<string, { text: string; out: Buffer; err: Buffer }>();
  private width = 0;

  constructor(
    private readonly c: Colors,
    jobs: readonly string[],
  ) {
    for (const j of jobs) this.width = Math.min(MAX_PREFIX, Math.max(this.width, j.length));
    for (const j of jobs) this.get(j);
  }

  get(job: string) {
    let l = this.labels.get(job);
    if (!l) {
      const name = job.length > MAX_PREFIX ? `${job.slice(0, MAX_PREFIX - 1)}…` : job.padEnd(this.width);
      const text = jobColor(this.c, this.labels.size)(name);
      l = {
        text,
        out: Buffer.from(`${text} ${this.c.dim("|")} `),
        err: Buffer.from(`${text} ${this.c.red("!")} `),
      };
      this.labels.set(job, l);
    }
    return l;
  }
}

export function linesReporter(sink: Sink, c: Colors, daemons: ReadonlySet<string>): Reporter {
  const summary = new SummaryCollector(daemons);
  let labels: Labels | undefined;
  return {
    event(e: RunEvent) {
      summary.event(e);
      if (e.type === "run:start") labels = new Labels(c, e.jobs);
      else if (e.type === "job:output") {
        const l = labels!.get(e.job);
        sink.write(prefixLines(e.data, e.stream === "stdout" ? l.out : l.err));
      } else if (e.type === "run:end") sink.write(summary.render(c));
      else sink.write(`${labels!.get(e.job).text} ${stateText(e, c)}\n`);
    },
  };
}

/** Inserts `prefix` before every line of `data` (complete lines, each ending in "\\n"). */
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
