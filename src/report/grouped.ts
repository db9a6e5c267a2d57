// `-o grouped` and `-o quiet`: each job's output held (in bounded memory) and shown as one block
// when the job ends, headed by its state line, in completion order. `quiet` shows only the blocks
// of failed jobs. Both end with the summary. `-o github` frames the same blocks otherwise (github.ts).
import type { Colors } from "picocolors/types.js";
import { type EventOf, type Reporter, type RunEvent, unreachable } from "../events.js";
import { stateText } from "./format.js";
import { HeldOutput } from "./held-output.js";
import { Labels } from "./lines.js";
import type { Sink } from "./sink.js";
import { SummaryCollector } from "./summary.js";

/** How blocks and one-line states are written. */
export interface Framing {
  /** What goes before and after a job's output: `title` is its label and state line; `exit` null for late output. */
  block(job: string, title: string, exit: EventOf<"job:exit"> | null): { head: string; foot: string };
  /** A state without output (skipped, reused). */
  line(title: string): string;
}

const plain = (c: Colors): Framing => ({
  block: (_job, title) => ({ head: `${c.bold("──")} ${title}\n`, foot: "" }),
  line: (title) => `${c.bold("──")} ${title}\n`,
});

export function groupedReporter(
  sink: Sink,
  c: Colors,
  onlyFailures: boolean,
  framing: Framing = plain(c),
): Reporter {
  const summary = new SummaryCollector();
  const held = new Map<string, HeldOutput>();
  let labels: Labels | undefined;
  // Blocks are written in order, each after the previous one has drained.
  let chain: Promise<void> = Promise.resolve();
  const then = (step: () => void | Promise<void>) => {
    chain = chain.then(step);
  };
  const hold = (job: string) => {
    let h = held.get(job);
    if (!h) {
      h = new HeldOutput();
      held.set(job, h);
    }
    return h;
  };
  const title = (job: string, header: string) => `${labels!.get(job).text.trimEnd()} ${header}`;
  const block = (job: string, header: string, exit: EventOf<"job:exit"> | null) => {
    const output = held.get(job);
    held.delete(job);
    const { head, foot } = framing.block(job, title(job, header), exit);
    then(async () => {
      sink.write(head);
      await output?.writeTo(sink);
      if (foot) sink.write(foot);
    });
  };

  return {
    event(e: RunEvent) {
      summary.event(e);
      switch (e.type) {
        case "run:start":
          labels = new Labels(c, e.jobs);
          return;
        case "job:output":
          hold(e.job).push(e.data);
          return;
        case "job:exit":
          if (!onlyFailures || e.state === "failed" || e.state === "timed_out")
            block(e.job, stateText(e, c)!, e);
          else held.get(e.job)?.discard();
          return;
        case "job:cached":
          if (onlyFailures) held.get(e.job)?.discard();
          else block(e.job, stateText(e, c)!, null);
          return;
        case "job:skip":
        case "job:reused":
          if (!onlyFailures) then(() => void sink.write(framing.line(title(e.job, stateText(e, c)!))));
          return;
        case "job:matrix":
          if (!onlyFailures)
            then(
              () =>
                void sink.write(
                  `${c.bold("──")} ${labels!.get(e.placeholder).text.trimEnd()} ${stateText(e, c)}\n`,
                ),
            );
          return;
        case "run:end":
          // Output that lingering children wrote after their job ended.
          for (const job of [...held.keys()]) {
            if (onlyFailures) held.get(job)!.discard();
            else block(job, c.dim("(output after the job ended)"), null);
          }
          then(() => void sink.write(summary.render(c)));
          return;
        case "job:start":
        case "job:ready":
        case "job:health":
        case "job:stop":
        case "job:restart":
        case "run:control":
        case "job:change":
          return;
        default:
          unreachable(e);
      }
    },
    close: () => chain,
  };
}
