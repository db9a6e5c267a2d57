// RunEvent → the JSON objects of SPEC §8: `seq` numbers in order, one `job:output` per line.
import { forEachLine, type RunEvent } from "../events.js";
import { skipReason } from "./words.js";

/** An event other than output as JSON has it, with its `seq` (a skip also carries its reason in words). */
export const jsonObject = (seq: number, e: Exclude<RunEvent, { type: "job:output" }>): object =>
  Object.assign({ seq, time: e.time }, e.type === "job:skip" ? { ...e, reason: skipReason(e) } : e);

export class EventSerializer {
  private seq = 0;

  /** Appends the NDJSON lines of an event to `out` and returns it. */
  ndjson(e: RunEvent): string {
    if (e.type !== "job:output") return `${JSON.stringify(jsonObject(++this.seq, e))}\n`;
    let out = "";
    const replay = e.replay ? '"replay":true,' : "";
    const head = `,"time":${e.time},"type":"job:output","job":${JSON.stringify(e.job)},"stream":"${e.stream}",${replay}"line":`;
    forEachLine(e.data, (line) => {
      out += `{"seq":${++this.seq}${head}${JSON.stringify(line.toString())}}\n`;
    });
    return out;
  }

  /** The same objects, parsed (for run.json). */
  objects(e: RunEvent): object[] {
    if (e.type !== "job:output") return [jsonObject(++this.seq, e)];
    const out: object[] = [];
    forEachLine(e.data, (line) => {
      out.push({
        seq: ++this.seq,
        time: e.time,
        type: e.type,
        job: e.job,
        stream: e.stream,
        ...(e.replay ? { replay: true } : {}),
        line: line.toString(),
      });
    });
    return out;
  }
}
