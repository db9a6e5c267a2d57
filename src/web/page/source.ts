// Where the page's events come from: a live run's API (Server-Sent Events read with a streaming
// fetch, since EventSource cannot send the token; a lost stream resumes after the last seq), or the
// run.json embedded in a report. Also the page's requests: restart, stop, start, end.
import type { RunModel } from "./model.js";

export interface Live {
  /** The state of the event stream, for the header. */
  status: "connecting" | "live" | "ended" | "lost" | "refused";
  command(path: string, body?: object): Promise<string | null>;
}

/** Follows the run's events into `model`; `changed` is called after each batch. */
export function followLive(token: string, model: RunModel, changed: () => void): Live {
  const headers = { authorization: `Bearer ${token}` };
  const live: Live = {
    status: "connecting",
    async command(path, body = {}) {
      try {
        const res = await fetch(`/api/${path}`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        if (res.ok) return null;
        return ((await res.json()) as { error?: string }).error ?? `the run answered ${res.status}`;
      } catch {
        return "the run does not answer (it has ended)";
      }
    },
  };
  const set = (status: Live["status"]) => {
    live.status = status;
    model.version++;
    changed();
  };
  void (async () => {
    for (let failures = 0; failures < 10 && !model.end; ) {
      try {
        const res = await fetch(`/api/events?since=${model.lastSeq}`, { headers });
        if (res.status === 401 || res.status === 403) return set("refused");
        if (!res.ok || !res.body) throw new Error(String(res.status));
        failures = 0;
        set("live");
        await readSse(res.body, (data) => model.apply(JSON.parse(data)), changed, model);
      } catch {
        failures++;
        set("lost");
        await new Promise((r) => setTimeout(r, 500 * failures));
      }
    }
    set(model.end ? "ended" : "lost");
  })();
  return live;
}

/** Reads an SSE stream: each `data:` line is handed to `onData`; `changed` once per chunk read. */
async function readSse(
  body: ReadableStream<Uint8Array>,
  onData: (data: string) => void,
  changed: () => void,
  model: RunModel,
): Promise<void> {
  const reader = body
    .pipeThrough(new TextDecoderStream() as ReadableWritablePair<string, Uint8Array>)
    .getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const cut = buffer.lastIndexOf("\n");
    if (cut === -1) continue;
    for (const line of buffer.slice(0, cut).split("\n")) {
      if (line.startsWith("data: ")) onData(line.slice(6));
      else if (line.startsWith(": ")) model.gap = true;
    }
    buffer = buffer.slice(cut + 1);
    changed();
  }
}

/**
 * A report's events: the NDJSON text of its `procflow-events` script (output lines as compact arrays,
 * see RunModel.applyLine), applied in slices between frames.
 */
export function readEmbedded(text: string, model: RunModel, changed: () => void): void {
  let at = 0;
  const slice = () => {
    const stop = Math.min(text.length, at + 4_000_000);
    let end = text.indexOf("\n", stop);
    if (end === -1) end = text.length;
    for (const line of text.slice(at, end).split("\n"))
      if (line.startsWith("[")) model.applyLine(JSON.parse(line));
      else if (line) model.apply(JSON.parse(line));
    at = end + 1;
    model.loaded = at >= text.length;
    changed();
    if (at < text.length) setTimeout(slice, 0);
  };
  slice();
}
