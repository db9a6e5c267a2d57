// V8 for a run of many jobs. Every spawn forks procflow, and fork copies the page tables of all the
// memory procflow has touched (then the child's exec tears them down while procflow waits), so a
// spawn costs more the more memory procflow has touched. Two things grow it in a run of many jobs:
// - The optimizing compiler: it compiles on V8's worker threads, each of which keeps the memory it
//   used (~2 MB a thread), and takes a core from the forks. Per job, procflow's code is small and runs
//   well enough unoptimized (a 1,000-job run: 1.9 s with it, 1.5 s without; the parse of a file of
//   200 jobs is enough to start it). What is not per job is let have it back: the lines of the jobs'
//   output, a hot loop (three times slower unoptimized), past OPTIMIZE_AFTER_BYTES of output
//   (`optimizerReporter`); and the cache's fingerprints (globs and hashes, a cached run spawns nothing).
// - V8 sizes its heap for throughput: the young generation grows to 16 MB per semi-space (parsing a
//   big file is enough), the old one to several times what is live (a run of 10,000 jobs peaked near
//   200 MB). A heap kept near its live size spawns faster, for more (small) garbage collections.
// V8 reads these flags as it resizes and as it picks what to optimize, so they take effect from here
// on. Only the CLI sets them (they are the whole process's), and only for a run of many jobs: a small
// run would gain nothing, and would pay for the change (src/v8-flags.ts). A big file is kept lean
// from before its parse, and set back if it holds few jobs.
import { statSync } from "node:fs";
import type { Reporter } from "../events.js";
import type { JobGraph } from "../graph/types.js";
import { setV8Flags } from "../v8-flags.js";

/** A file from this size (bytes) is kept lean from before it is parsed (~100 one-line jobs). */
const LEAN_BYTES = 4 * 1024;
/** Jobs from which a run is kept lean. */
const LEAN_JOBS = 100;
/** Job output (bytes, all jobs) after which the optimizer is worth its memory again. */
const OPTIMIZE_AFTER_BYTES = 2 * 1024 * 1024;

/** Each sets its flags back; null when they are not set. */
let leanHeap: (() => void) | null = null;
let noOptimizer: (() => void) | null = null;

/**
 * Before the file is parsed, and again once it is loaded (`caching`: the cache is on for the run, so
 * that its cacheable jobs are fingerprinted).
 */
export function leanRunFor(file: string, loaded?: { graph: JobGraph; caching: boolean }): void {
  const many = loaded ? loaded.graph.jobs.length >= LEAN_JOBS : sizeOf(file) >= LEAN_BYTES;
  if (many && !leanHeap) {
    leanHeap = setV8Flags(
      "--semi-space-growth-factor=1 --heap-growing-percent=50",
      "--semi-space-growth-factor=2 --heap-growing-percent=0",
    );
    noOptimizer = setV8Flags("--no-turbofan", "--turbofan");
  }
  if (!loaded) return;
  if (!many) {
    leanHeap?.();
    leanHeap = null;
    optimize();
  } else if (loaded.caching && loaded.graph.jobs.some((j) => j.cache)) optimize();
}

/** For a lean run: counts the jobs' output, and lets the optimizer back on past OPTIMIZE_AFTER_BYTES. */
export function optimizerReporter(): Reporter | undefined {
  if (!noOptimizer) return undefined;
  let bytes = 0;
  return {
    event(e) {
      if (e.type !== "job:output" || !noOptimizer) return;
      bytes += e.data.length;
      if (bytes > OPTIMIZE_AFTER_BYTES) optimize();
    },
  };
}

function optimize() {
  noOptimizer?.();
  noOptimizer = null;
}

/** 0 for what is not a file to stat: loading it says what is wrong. */
function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
