// `--log-dir DIR`: every job's full output in DIR/<job>.log, and the run's events in DIR/run.json
// (`{ "events": [...], "run": <run:end fields> }`), both streamed to disk as the run goes.
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { Reporter, RunEvent } from "../events.js";
import { fileSafe } from "./format.js";
import { EventSerializer } from "./serialize.js";

export function logDirReporter(dir: string): Reporter {
  mkdirSync(dir, { recursive: true });
  const logs = new Map<string, WriteStream>();
  const serializer = new EventSerializer();
  const runJson = createWriteStream(join(dir, "run.json"));
  runJson.write('{"events":[');
  let first = true;
  const log = (job: string) => {
    let s = logs.get(job);
    if (!s) {
      s = createWriteStream(join(dir, `${fileSafe(job)}.log`));
      logs.set(job, s);
    }
    return s;
  };
  return {
    event(e: RunEvent) {
      if (e.type === "run:start") for (const job of e.jobs) log(job);
      if (e.type === "job:output") log(e.job).write(e.data);
      let text = "";
      for (const o of serializer.objects(e)) {
        text += `${first ? "\n" : ",\n"}${JSON.stringify(o)}`;
        first = false;
      }
      runJson.write(text);
      if (e.type === "run:end") {
        const { type: _, time: __, ...run } = e;
        runJson.end(`\n],\n"run":${JSON.stringify(run)}}\n`);
      }
    },
    async close() {
      const ended = (s: WriteStream) =>
        new Promise<void>((resolve) => (s.writableFinished ? resolve() : s.end(resolve)));
      await Promise.all([...logs.values(), runJson].map(ended));
    },
  };
}
