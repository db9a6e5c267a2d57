// V8 flags procflow sets as it runs (they are V8's, not Node's promise: an unknown one is ignored).
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
