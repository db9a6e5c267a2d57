// `-o json`: the event stream as NDJSON on stdout.
import type { Reporter } from "../events.js";
import { EventSerializer } from "./serialize.js";

export function jsonReporter(write: (s: string) => void): Reporter {
  const serializer = new EventSerializer();
  return { event: (e) => write(serializer.ndjson(e)) };
}
