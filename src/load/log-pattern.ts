// A `log` probe's pattern: checked when the file is validated (and again after `${{ }}` substitution,
// when the job starts), and compiled so that matching it against a line never runs unbounded on
// procflow's event loop — `(a+)+$` on 50 `a`s and a `b` used to backtrack for minutes, with no timer
// or signal handled meanwhile.
//
// The engine, measured on Node 20 here (200,000 lines of ~80 characters, µs per line):
//   V8's backtracking engine (RegExp)   0.04–0.09, but exponential on a pathological line;
//   V8's linear engine (flag `l`)        3.7–5.2;
//   re2 (native)                         0.9–1.2, but a node-gyp build on install (~1.5 min of C++; no
//                                        prebuilt binary without GitHub access; re2 ≥ 1.24 needs Node 22);
//   re2-wasm                             3.5, and only in `u` mode (other escapes and classes);
//   a worker with a deadline             a message per line, and no answer when the deadline passes;
//   a cap on the line length             the time still doubles with each character matched.
// Chosen: V8's own engines, no dependency. Patterns run on the backtracking engine as usual, which
// hands over to the linear one after 50,000 backtracks: ordinary patterns keep their speed, and the
// worst line costs ~0.2 ms (60 characters) to ~20 ms (64 KiB, the longest line procflow matches).
// The hand-over covers only what the linear engine can run — no backreferences, no lookarounds, no
// repeat counts over 16 — so those are rejected, checked with the `l` flag (the same engine decides).
import { setV8Flags } from "../v8-flags.js";

let linearEngine: boolean | undefined;

/**
 * Sets V8's flags for the hand-over (read when a RegExp is created), once, before the first pattern is
 * compiled: only then, since Node's modules loaded after a change of V8's flags lose their code cache
 * (src/v8-flags.ts).
 * Whether this Node's V8 has the linear engine: the flags are V8's, not Node's promise.
 */
function hasLinearEngine(): boolean {
  if (linearEngine === undefined) {
    setV8Flags(
      "--enable-experimental-regexp-engine --enable-experimental-regexp-engine-on-excessive-backtracks",
      "--no-enable-experimental-regexp-engine --no-enable-experimental-regexp-engine-on-excessive-backtracks",
    );
    try {
      // biome-ignore lint/complexity/useRegexLiterals: a literal with the `l` flag is a syntax error before the flag is set
      new RegExp("", "l");
      linearEngine = true;
    } catch {
      linearEngine = false;
    }
  }
  return linearEngine;
}

/** The compiled pattern, or why it cannot be a log probe's pattern. */
export function compileLogPattern(pattern: string): { regex: RegExp } | { problem: string } {
  const linear = hasLinearEngine();
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (e) {
    const why = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, "");
    return { problem: `invalid regular expression: ${why}` };
  }
  if (linear)
    try {
      new RegExp(pattern, "l");
    } catch {
      return {
        problem:
          "this regular expression needs backtracking (a backreference, a lookaround, or a repeat count over 16), which could freeze procflow on one long line: write it without (e.g. .* for .{0,200})",
      };
    }
  return { regex };
}
