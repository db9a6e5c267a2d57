// procflow's own stdout and stderr: writes that survive a closed pipe (`procflow run x | head`), and
// stdout's backpressure, which pauses the jobs' output while a slow reader catches up.
import { writeSync } from "node:fs";

let closed = false;
// Node writes stdout to a file or /dev/null with an fs stream that first copies a string into a new
// Buffer; fs.writeSync encodes it natively instead (a pipe's socket already does).
const toFile = process.stdout.constructor.name === "SyncWriteStream";

/** EPIPE: the reader went away. Writing there stops; the run itself goes on. */
const readerLeft = (e: NodeJS.ErrnoException) => e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED";

process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (!readerLeft(e)) throw e;
  closed = true;
  // No "drain" follows: jobs paused for this reader read on (their output still goes to the other reporters).
  releaseBackpressure?.();
});
// What is still written to stderr (warnings, a crash report) is lost once its reader has left.
process.stderr.on("error", (e: NodeJS.ErrnoException) => {
  if (!readerLeft(e)) throw e;
});

/**
 * Writes to stdout; returns false when the caller should wait for "drain" before writing more.
 * Short writes made in one turn of the event loop leave together, as one `writev` on a pipe (stdout
 * is corked until the next turn): a run of many short jobs writes many short lines, and each write
 * is a syscall. What would fill the buffer is written at once, so big output is never held back.
 */
export function writeOut(chunk: string | Uint8Array, encoding: BufferEncoding = "utf8"): boolean {
  if (closed) return true;
  const out = process.stdout;
  const hwm = out.writableHighWaterMark;
  if (corked && out.writableLength + chunk.length >= hwm) uncork(); // what is queued goes first
  if (chunk.length >= hwm && toFile && typeof chunk === "string") {
    writeSync(1, chunk, null, encoding);
    return true;
  }
  if (!corked && chunk.length < hwm) {
    corked = true;
    out.cork();
    setImmediate(uncork);
  }
  // A file or a pipe is written synchronously on Linux: write() says false for any chunk over the
  // high-water mark, yet it has already left. Only what is still queued is backpressure.
  const ok = out.write(chunk, encoding) || out.writableLength < hwm;
  if (!ok) backpressureCheck?.();
  return ok;
}

let corked = false;

function uncork(): void {
  if (!corked) return;
  corked = false;
  process.stdout.uncork();
}

/** Resolves once everything written so far has been handed to the OS (or stdout is closed). */
export function drainStdout(): Promise<void> {
  uncork();
  if (closed || process.stdout.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    process.stdout.write("", () => resolve());
    process.stdout.once("error", () => resolve());
  });
}

/**
 * Lets the executor pause children's output while stdout is backed up (a slow reader applies
 * backpressure instead of procflow's memory growing). It resumes when stdout drains, or when its
 * reader leaves.
 */
export function onStdoutBackpressure(listener: (paused: boolean) => void): void {
  let paused = false;
  const resume = () => {
    if (!paused) return;
    paused = false;
    process.stdout.off("drain", resume);
    listener(false);
  };
  backpressureCheck = () => {
    if (closed || paused || !process.stdout.writableNeedDrain) return;
    paused = true;
    listener(true);
    process.stdout.once("drain", resume);
  };
  releaseBackpressure = resume;
}

let backpressureCheck: (() => void) | null = null;
let releaseBackpressure: (() => void) | null = null;
