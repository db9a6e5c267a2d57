// V8 flags procflow sets as it runs (V8's, not Node's promise: a V8 without one says so on stderr and
// goes on; those used here are in Node 20's V8). node:v8 is loaded only then.
// V8 stamps compiled code it caches with the flags that differ from their defaults, and refuses a
// cache stamped otherwise than the process that reads it: Node's own modules loaded after a change
// are compiled without their cache (~5 ms for those a run still loads), and so would be the CLI in
// the next run, but bin/procflow.js sets the flags back (restoreV8Flags) before it makes the CLI's
// cache: a cache made by any run fits every run.
import { createRequire } from "node:module";

/** The flags set and not undone, each as the same flags at V8's defaults. */
const changed = new Set<{ readonly defaults: string }>();

/**
 * Sets `flags` (V8's command-line syntax); `defaultFlags`: the same flags at V8's defaults, which the
 * returned function sets back (once).
 */
export function setV8Flags(flags: string, defaultFlags: string): () => void {
  v8().setFlagsFromString(flags);
  const entry = { defaults: defaultFlags };
  changed.add(entry);
  return () => {
    if (changed.delete(entry)) v8().setFlagsFromString(defaultFlags);
  };
}

/** Sets back every flag procflow changed (at the end of the process). */
export function restoreV8Flags(): void {
  for (const entry of changed) v8().setFlagsFromString(entry.defaults);
  changed.clear();
}

const v8 = () => createRequire(import.meta.url)("node:v8") as typeof import("node:v8");
