// V8 for a run. Every spawn forks procflow, and fork copies the page tables of all the memory procflow
// has touched (then the child's exec tears them down while procflow waits), so a spawn costs more the
// more memory procflow has touched. Two things grow it:
// - The optimizing compiler (every run): it compiles on V8's worker threads, each of which keeps the
//   memory it used (~2 MB a thread), and takes a core from the forks. Per job, procflow's code is small
//   and runs well enough unoptimized (a 1,000-job run: 1.9 s with it, 1.5 s without), but the lines
//   of the jobs' output are a hot loop (three times slower unoptimized): past OPTIMIZE_AFTER_BYTES of
//   output (`optimizerReporter`), the optimizer is let back on.
// - V8 sizes its heap for throughput (a big file or many jobs): the young generation grows to 16 MB
//   per semi-space (parsing a big file is enough), the old one to several times what is live (a run
//   of 10,000 jobs peaked near 200 MB). A heap kept near its live size spawns faster, for more (small)
//   garbage collections; a small run would gain nothing.
// V8 reads these flags as it resizes and as it picks what to optimize, so they take effect from here
// on. Only the CLI sets them: they are the whole process's.
import { statSync } from "node:fs";
import type { Reporter } from "../events.js";
import { setV8Flags } from "../v8-flags.js";

/** A file from this size (bytes) is kept lean from before it is parsed: its parse grows the heap. */
const LEAN_HEAP_BYTES = 4 * 1024;
/** Jobs from which a run is kept lean. */
const LEAN_HEAP_JOBS = 100;
/** Job output (bytes, all jobs) after which the optimizer is worth its memory again. */
const OPTIMIZE_AFTER_BYTES = 2 * 1024 * 1024;

let optimizer = true;
let lean = false;

/** Before the file is parsed, and again with its jobs once loaded. */
export function leanHeapFor(file: string, jobs?: number): void {
  if (lean) return;
  if (jobs === undefined ? sizeOf(file) < LEAN_HEAP_BYTES : jobs < LEAN_HEAP_JOBS) return;
  setV8Flags(
    "--no-turbofan --semi-space-growth-factor=1 --heap-growing-percent=50",
    "--turbofan --semi-space-growth-factor=2 --heap-growing-percent=0",
  );
  optimizer = false;
  lean = true;
}

/** Counts the jobs' output, and lets the optimizer back on past OPTIMIZE_AFTER_BYTES. */
export function optimizerReporter(): Reporter | undefined {
  if (optimizer) return undefined;
  let bytes = 0;
  return {
    event(e) {
      if (e.type !== "job:output" || optimizer) return;
      bytes += e.data.length;
      if (bytes > OPTIMIZE_AFTER_BYTES) {
        setV8Flags("--turbofan", "--turbofan");
        optimizer = true;
      }
    },
  };
}

/** 0 for what is not a file to stat: loading it says what is wrong. */
function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
