// V8 flags procflow sets as it runs (V8's, not Node's promise: a V8 without one says so on stderr and
// goes on; those used here are in Node 20's V8).
// node:v8 is loaded only then. A code cache made after a change would carry the changed flags, and
// V8 would refuse it in the next run, so bin/procflow.js does not save one then (v8FlagsChanged).
import { createRequire } from "node:module";

let changed = false;

export function setV8Flags(...flags: string[]): void {
  const { setFlagsFromString } = createRequire(import.meta.url)("node:v8") as typeof import("node:v8");
  for (const flag of flags) setFlagsFromString(flag);
  changed = true;
}

export const v8FlagsChanged = (): boolean => changed;
