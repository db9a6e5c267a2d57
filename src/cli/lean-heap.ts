// V8's heap for a run of many jobs. Every spawn forks procflow, and fork copies the page tables of all
// the memory procflow has touched (then the child's exec tears them down while procflow waits), so a
// spawn costs more the bigger procflow's heap is. V8 sizes its heap for throughput: the young
// generation grows to 16 MB per semi-space (parsing a big file is enough), the old one to several
// times what is live, and a run of 10,000 jobs peaked near 200 MB. A heap kept near its live size
// spawns faster and holds that run near 110 MB, for more (small) garbage collections. V8 reads these
// flags as it resizes, so they take effect from here on. Only the CLI sets them (they are the whole
// process's), and only for a big file or many jobs: a small run would gain nothing, and its code cache
// would be made anew (src/v8-flags.ts).
import { statSync } from "node:fs";
import { setV8Flags } from "../v8-flags.js";

/** A file from this size (bytes) is kept lean from before it is parsed: its parse grows the heap. */
const LEAN_HEAP_BYTES = 16 * 1024;
/** Jobs from which a run is kept lean. */
const LEAN_HEAP_JOBS = 100;

let lean = false;

/** Before the file is parsed, and again with its jobs once loaded. */
export function leanHeapFor(file: string, jobs?: number): void {
  if (lean) return;
  if (jobs === undefined ? sizeOf(file) < LEAN_HEAP_BYTES : jobs < LEAN_HEAP_JOBS) return;
  setV8Flags("--semi-space-growth-factor=1", "--heap-growing-percent=50");
  lean = true;
}

/** 0 for what is not a file to stat: loading it says what is wrong. */
function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
