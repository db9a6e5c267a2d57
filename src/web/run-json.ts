// Reads the `events` array of a run.json (SPEC §8) one event at a time as the file streams in, so
// that a 100 MB run is never held whole in memory, however the file is laid out.
import { createReadStream } from "node:fs";

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN = new Set([123, 91]); // { [
const CLOSE = new Set([125, 93]); // } ]
const SPECIAL = /["\\]/g;

/** Each element of the top-level `events` array, parsed; the text of an element that is not JSON throws. */
export async function* runJsonEvents(path: string): AsyncGenerator<Record<string, unknown>> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** The top-level key being read, or last read. */
  let key = "";
  let readingKey = false;
  let inEvents = false;
  let element: string[] | null = null;
  for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    const text = chunk as string;
    let from = element ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = readingKey = false;
        else if (readingKey) key += text[i];
        else {
          // Inside a value: jump to the next quote or backslash.
          SPECIAL.lastIndex = i;
          i = SPECIAL.test(text) ? SPECIAL.lastIndex - 2 : text.length;
        }
        continue;
      }
      if (c === QUOTE) {
        inString = true;
        if (depth === 1) {
          readingKey = true;
          key = "";
        }
      } else if (OPEN.has(c)) {
        depth++;
        if (depth === 2 && c === 91 && key === "events") inEvents = true;
        else if (inEvents && depth === 3) {
          element = [];
          from = i;
        }
      } else if (CLOSE.has(c)) {
        if (inEvents && depth === 3 && element) {
          element.push(text.slice(from, i + 1));
          yield JSON.parse(element.join("")) as Record<string, unknown>;
          element = null;
          from = -1;
        } else if (inEvents && depth === 2) inEvents = false;
        depth--;
      }
    }
    if (element && from !== -1) element.push(text.slice(from));
  }
}
