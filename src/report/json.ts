// `-o json`: the event stream as NDJSON on stdout.
import type { Reporter } from "../events.js";
import { EventSerializer } from "./serialize.js";
import type { Sink } from "./sink.js";

export function jsonReporter(sink: Sink): Reporter {
  const serializer = new EventSerializer();
  return { event: (e) => void sink.write(serializer.ndjson(e)) };
}
