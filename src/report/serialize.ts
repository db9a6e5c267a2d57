// RunEvent → the JSON objects of SPEC §8: `seq` numbers in order, one `job:output` per line.
import type { RunEvent } from "../events.js";
import { forEachLine } from "../run/lines.js";
import { skipReason } from "./words.js";

/** The event as JSON has it: a skip also carries its reason in words. */
const plain = (e: RunEvent): object => (e.type === "job:skip" ? { ...e, reason: skipReason(e) } : e);

export class EventSerializer {
  private seq = 0;

  /** Appends the NDJSON lines of an event to `out` and returns it. */
  ndjson(e: RunEvent): string {
    if (e.type !== "job:output")
      return `${JSON.stringify(Object.assign({ seq: ++this.seq, time: e.time }, plain(e)))}\n`;
    let out = "";
    const head = `,"time":${e.time},"type":"job:output","job":${JSON.stringify(e.job)},"stream":"${e.stream}","line":`;
    forEachLine(e.data, (line) => {
      out += `{"seq":${++this.seq}${head}${JSON.stringify(line.toString())}}\n`;
    });
    return out;
  }

  /** The same objects, parsed (for run.json). */
  objects(e: RunEvent): object[] {
    if (e.type !== "job:output") return [Object.assign({ seq: ++this.seq, time: e.time }, plain(e))];
    const out: object[] = [];
    forEachLine(e.data, (line) => {
      out.push({
        seq: ++this.seq,
        time: e.time,
        type: e.type,
        job: e.job,
        stream: e.stream,
        line: line.toString(),
      });
    });
    return out;
  }
}
