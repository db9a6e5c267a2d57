// V8 flags procflow sets as it runs (V8's, not Node's promise: a V8 without one says so on stderr and
// goes on; those used here are in Node 20's V8). node:v8 is loaded only then.
// V8 stamps a code cache with the flags that differ from their defaults, and refuses a cache stamped
// otherwise than the process that reads it: bin/procflow.js sets them back (restoreV8Flags) before it
// makes the CLI's cache, so that a cache made by any run fits every run.
import { createRequire } from "node:module";

const defaults: string[] = [];

/** Sets `flags` (V8's command-line syntax); `defaultFlags`: the same flags at V8's defaults. */
export function setV8Flags(flags: string, defaultFlags: string): void {
  v8().setFlagsFromString(flags);
  defaults.push(defaultFlags);
}

/** Sets back every flag procflow changed (at the end of the process). */
export function restoreV8Flags(): void {
  for (const flags of defaults.splice(0)) v8().setFlagsFromString(flags);
}

const v8 = () => createRequire(import.meta.url)("node:v8") as typeof import("node:v8");
