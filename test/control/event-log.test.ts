// The live run's memory: line counting, the kept lines per job, and replay in -o json order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countLines, EventLog, LINES_PER_JOB } from "../../src/control/event-log.js";
import type { RunEvent } from "../../src/events.js";
import { EventSerializer } from "../../src/report/serialize.js";

const output = (job: string, text: string): RunEvent => ({
  type: "job:output",
  time: 1,
  job,
  stream: "stdout",
  data: Buffer.from(text),
});

describe("event log", () => {
  it("counts the newlines of any slice of any buffer (aligned or not)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.nat(7), (bytes, skip) => {
        const data = Buffer.from(bytes.map((b) => (b % 3 === 0 ? 10 : b))).subarray(
          Math.min(skip, bytes.length),
        );
        expect(countLines(data)).toBe([...data].filter((b) => b === 10).length);
      }),
      { numRuns: 2000 },
    );
    // Only newlines: every byte of the running sums at its most, past several blocks of words.
    for (const skip of [0, 1, 2, 3])
      expect(countLines(Buffer.alloc(10_003, 10).subarray(skip))).toBe(10_003 - skip);
  });

  it("keeps the last 1,000 lines of a job and replays the events with the seqs -o json gives them", () => {
    const log = new EventLog();
    const serializer = new EventSerializer();
    const events: RunEvent[] = [
      {
        type: "run:start",
        time: 1,
        runId: "r",
        file: "f",
        pid: 1,
        jobs: ["a", "b"],
        mode: "run",
        daemons: [],
        commands: {},
        needs: {},
        definitions: {},
        ports: {},
        ui: null,
      },
      { type: "job:start", time: 1, job: "a", pid: 2, attempt: 1, argv: ["x"] },
      // 15 chunks of 100 lines: whole chunks are dropped, so lines 500… are kept.
      ...Array.from({ length: 15 }, (_, c) =>
        output("a", Array.from({ length: 100 }, (_, i) => `a ${c * 100 + i}\n`).join("")),
      ),
      output("b", "b 0\nb 1\n"),
      {
        type: "job:exit",
        time: 2,
        job: "a",
        pid: 2,
        attempt: 1,
        exitCode: 0,
        signal: null,
        durationMs: 1,
        state: "succeeded",
      },
      output("a", "a late\n"),
    ];
    const expected: string[] = [];
    for (const e of events) {
      log.event(e);
      expected.push(...serializer.ndjson(e).trimEnd().split("\n"));
    }
    expect(log.tail("a", 3).map((l) => l.line)).toEqual(["a 1498", "a 1499", "a late"]);
    expect(log.tail("b", 5).map((l) => l.line)).toEqual(["b 0", "b 1"]);
    // Everything but the dropped lines, in order, exactly as -o json has it.
    const { items, gap } = log.replay(0);
    expect(gap).toBe(true);
    const kept = expected.filter(
      (line) =>
        !/"line":"a (\d+)"/.test(line) || Number(/"line":"a (\d+)"/.exec(line)![1]) >= 1500 - LINES_PER_JOB,
    );
    expect(items.map((i) => i.json)).toEqual(kept);
    expect(log.replay(expected.length - 1).items.map((i) => i.json)).toEqual(expected.slice(-1));
    expect(log.replay(expected.length - 1).gap).toBe(false);
  });
});
