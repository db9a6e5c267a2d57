// What a live run keeps for its control endpoint (SPEC §11): every event but output, serialized as
// `-o json` has it (same `seq`), and at least the last 1,000 output lines of each job (whole chunks
// are dropped, so at most one chunk more), within 64 MiB for the run (the oldest ended jobs' lines
// go first). Output is kept as the chunks it came in and split
// into lines only when asked for, so a run nobody asks pays one byte count per chunk.
import type { EventOf, Reporter, RunEvent } from "../events.js";
import { jsonObject } from "../report/serialize.js";

export const LINES_PER_JOB = 1000;
const MAX_BYTES = 64 * 1024 * 1024;
const NL = 0x0a;

interface Chunk {
  /** seq of its first line. */
  readonly seq: number;
  readonly lines: number;
  readonly stream: "stdout" | "stderr";
  readonly data: Buffer;
  readonly time: number;
  readonly replay?: true;
}

interface JobLog {
  chunks: Chunk[];
  lines: number;
  /** The job has ended (its lines are the first to go when memory runs short). */
  endedAt: number | null;
  /** seq of the newest line dropped, 0 if none. */
  droppedUpTo: number;
  /** seq of the current (or last) attempt's job:start, 0 if none: `tail` shows only what came after. */
  attemptFrom: number;
}

export interface OutputLine {
  readonly seq: number;
  readonly stream: "stdout" | "stderr";
  readonly line: string;
}

/** An event as the API sends it: its `seq` and its JSON text. */
export interface Serialized {
  readonly seq: number;
  readonly json: string;
}

/** Called with each new event and its `seq` (for output: the seq of its first line). */
export type Listener = (e: RunEvent, seq: number) => void;

export class EventLog implements Reporter {
  /** Every event but output, with its seq: serialized only when someone asks for it. */
  private readonly events: { seq: number; e: Exclude<RunEvent, { type: "job:output" }> }[] = [];
  private readonly logs = new Map<string, JobLog>();
  private bytes = 0;
  private lastSeq = 0;
  private readonly listeners = new Set<Listener>();

  event(e: RunEvent): void {
    if (e.type === "job:output") {
      this.output(e);
      return;
    }
    const seq = ++this.lastSeq;
    this.events.push({ seq, e });
    if (e.type === "job:exit" || e.type === "job:skip" || e.type === "job:cached")
      this.log(e.job).endedAt = e.time;
    if (e.type === "job:start") {
      const log = this.log(e.job);
      log.endedAt = null;
      log.attemptFrom = seq;
    }
    for (const l of this.listeners) l(e, seq);
  }

  /** Calls `listener` with each new event until the returned function is called. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The events after `since`, in order, with the kept output lines; `gap` when output lines after `since` were dropped. */
  replay(since: number): { items: Serialized[]; gap: boolean } {
    const items: Serialized[] = [];
    for (const { seq, e } of this.events)
      if (seq > since) items.push({ seq, json: JSON.stringify(jsonObject(seq, e)) });
    let gap = false;
    for (const [job, log] of this.logs) {
      if (log.droppedUpTo > since) gap = true;
      for (const chunk of log.chunks) {
        if (chunk.seq + chunk.lines <= since) continue;
        for (const l of chunkLines(chunk))
          if (l.seq > since) items.push({ seq: l.seq, json: outputJson(chunk, job, l) });
      }
    }
    items.sort((a, b) => a.seq - b.seq);
    return { items, gap };
  }

  /** The last `n` kept output lines of a job's current or last attempt (SPEC §11). */
  tail(job: string, n: number): OutputLine[] {
    const log = this.logs.get(job);
    if (!log) return [];
    const out: OutputLine[] = [];
    for (
      let i = log.chunks.length - 1;
      i >= 0 && out.length < n && log.chunks[i]!.seq > log.attemptFrom;
      i--
    ) {
      const lines = chunkLines(log.chunks[i]!);
      for (let j = lines.length - 1; j >= 0 && out.length < n; j--) out.push(lines[j]!);
    }
    return out.reverse();
  }

  /** An event as the API sends it: one item, or one per output line. */
  static serialize(e: RunEvent, seq: number): Serialized[] {
    if (e.type !== "job:output") return [{ seq, json: JSON.stringify(jsonObject(seq, e)) }];
    const chunk = { seq, lines: 0, stream: e.stream, data: e.data, time: e.time, replay: e.replay };
    return chunkLines(chunk).map((l) => ({ seq: l.seq, json: outputJson(chunk, e.job, l) }));
  }

  /** The lines of an output event whose first line has `seq`. */
  static lines(e: EventOf<"job:output">, seq: number): OutputLine[] {
    return chunkLines({ seq, lines: 0, stream: e.stream, data: e.data, time: e.time });
  }

  get seq(): number {
    return this.lastSeq;
  }

  private output(e: EventOf<"job:output">) {
    const lines = countLines(e.data);
    const chunk: Chunk = {
      seq: this.lastSeq + 1,
      lines,
      stream: e.stream,
      data: e.data,
      time: e.time,
      ...(e.replay ? { replay: e.replay } : {}),
    };
    this.lastSeq += lines;
    const log = this.log(e.job);
    log.chunks.push(chunk);
    log.lines += lines;
    this.bytes += e.data.length;
    while (log.lines - log.chunks[0]!.lines >= LINES_PER_JOB) this.dropOldest(log);
    if (this.bytes > MAX_BYTES) this.shed();
    for (const l of this.listeners) l(e, chunk.seq);
  }

  private log(job: string): JobLog {
    let log = this.logs.get(job);
    if (!log) {
      log = { chunks: [], lines: 0, endedAt: null, droppedUpTo: 0, attemptFrom: 0 };
      this.logs.set(job, log);
    }
    return log;
  }

  private dropOldest(log: JobLog) {
    const c = log.chunks.shift()!;
    log.lines -= c.lines;
    this.bytes -= c.data.length;
    log.droppedUpTo = c.seq + c.lines - 1;
  }

  /** Over the memory limit: drop lines of the jobs that ended first, then the oldest lines of any job. */
  private shed() {
    const order = [...this.logs.values()].sort(
      (a, b) => (a.endedAt ?? Number.POSITIVE_INFINITY) - (b.endedAt ?? Number.POSITIVE_INFINITY),
    );
    for (const log of order) {
      while (log.chunks.length > 0 && this.bytes > MAX_BYTES) this.dropOldest(log);
      if (this.bytes <= MAX_BYTES) return;
    }
  }
}

/** Words counted between two additions of a sum's bytes: each sum takes half, at most 255 marks a byte. */
const BLOCK_WORDS = 510;

/** 1 in each byte of `word` that is "\n", 0 in the others. */
const newlineMarks = (word: number) => {
  const v = word ^ 0x0a0a0a0a;
  return ~(((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v | 0x7f7f7f7f) >>> 7;
};

/** The sum of the four bytes of `word`. */
const byteSum = (word: number) => {
  const pairs = (word & 0x00ff00ff) + ((word >>> 8) & 0x00ff00ff);
  return (pairs & 0xffff) + (pairs >>> 16);
};

/**
 * Newlines in a chunk, four bytes at a time (a word's "\n" bytes become zero bytes after the XOR,
 * and the classic zero-byte test marks each with the low bit of its byte), with no call per line:
 * two to four times a loop of indexOf on lines of 10–30 bytes, the common case. The marks are summed
 * per byte, in two sums (two independent words per step keep the CPU busy), and a sum's bytes are
 * added up only every BLOCK_WORDS words, before one could overflow: half the work per word.
 */
export function countLines(data: Buffer): number {
  let n = 0;
  let i = 0;
  const head = (4 - (data.byteOffset & 3)) & 3;
  const words = data.length >= head ? (data.length - head) >> 2 : 0;
  if (words > 0) {
    for (; i < head; i++) if (data[i] === NL) n++;
    const u32 = new Uint32Array(data.buffer, data.byteOffset + i, words);
    let w = 0;
    while (w + 1 < words) {
      const end = Math.min(words - 1, w + BLOCK_WORDS);
      let a = 0;
      let b = 0;
      for (; w < end; w += 2) {
        a += newlineMarks(u32[w]!);
        b += newlineMarks(u32[w + 1]!);
      }
      n += byteSum(a) + byteSum(b);
    }
    if (w < words) n += byteSum(newlineMarks(u32[w]!));
    i += words << 2;
  }
  for (; i < data.length; i++) if (data[i] === NL) n++;
  return n;
}

function chunkLines(chunk: Chunk): OutputLine[] {
  const out: OutputLine[] = [];
  let start = 0;
  let seq = chunk.seq;
  while (start < chunk.data.length) {
    const nl = chunk.data.indexOf(NL, start);
    out.push({ seq: seq++, stream: chunk.stream, line: chunk.data.toString("utf8", start, nl) });
    start = nl + 1;
  }
  return out;
}

function outputJson(chunk: Chunk, job: string, l: OutputLine): string {
  return JSON.stringify({
    seq: l.seq,
    time: chunk.time,
    type: "job:output",
    job,
    stream: l.stream,
    ...(chunk.replay ? { replay: true } : {}),
    line: l.line,
  });
}
