// Words, symbols and colours shared by the human reporters.
import type { Colors } from "picocolors/types.js";
import type { EndState, EventOf, RunEvent } from "../events.js";
import { formatMs } from "../load/duration.js";
import { cachedText, reusedText, skipReason } from "./words.js";

export { formatMs };

export const STATE_SYMBOL: Record<EndState, string> = {
  succeeded: "✔",
  failed: "✖",
  timed_out: "⏱",
  stopped: "■",
  skipped: "↷",
  reused: "♻",
  cached: "◆",
};

export function stateColor(c: Colors, state: EndState): (s: string) => string {
  switch (state) {
    case "succeeded":
      return c.green;
    case "failed":
    case "timed_out":
      return c.red;
    case "stopped":
      return c.blue;
    case "skipped":
      return c.dim;
    case "reused":
    case "cached":
      return c.cyan;
  }
}

const PALETTE = [
  "cyan",
  "magenta",
  "yellow",
  "blue",
  "green",
  "redBright",
  "cyanBright",
  "magentaBright",
  "yellowBright",
  "blueBright",
] as const;

/** A stable colour per job, by its position in the plan. */
export const jobColor = (c: Colors, index: number): ((s: string) => string) =>
  c[PALETTE[index % PALETTE.length]!];

/** "exit 0", "signal SIGTERM", or "not started" */
export function exitText(e: Pick<EventOf<"job:exit">, "exitCode" | "signal">): string {
  if (e.signal) return `signal ${e.signal}`;
  if (e.exitCode !== null) return `exit ${e.exitCode}`;
  return "did not start";
}

/**
 * How an attempt ended, in one line: `failed (exit 1) in 2.1s: why → result`. `durationMs: null`
 * leaves the duration out; `resultWidth` bounds the result.
 */
export function exitLine(
  e: EventOf<"job:exit">,
  durationMs: number | null = e.durationMs,
  resultWidth = 60,
): string {
  const took = durationMs === null ? "" : ` in ${formatMs(durationMs)}`;
  const error = e.error ? `: ${visible(e.error)}` : "";
  const result = e.result != null ? ` → ${shortResult(e.result, resultWidth)}` : "";
  return `${e.state.replace("_", " ")} (${exitText(e)})${took}${error}${result}`;
}

/** A short, one-line form of a target's result. */
export function shortResult(value: unknown, max = 60): string {
  const s = visible(JSON.stringify(value) ?? String(value));
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** How a start is shown: a target as written (`target ./m.mjs#f(args)`, not its bootstrap), a command as its argv. */
export function startedWhat(e: EventOf<"job:start">, commands: Readonly<Record<string, string>>): string {
  const written = commands[e.job];
  return written?.startsWith("target ") ? visible(written) : shellArgv(e.argv);
}

/** The words for a change of a job's state (`commands`: from run:start), or undefined for events that are not one. */
export function stateText(
  e: RunEvent,
  c: Colors,
  commands: Readonly<Record<string, string>> = {},
): string | undefined {
  switch (e.type) {
    case "job:start": {
      const what = startedWhat(e, commands);
      return c.dim(`▶ started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ""}, pid ${e.pid}: ${what}`);
    }
    case "job:ready":
      return c.green("● ready");
    case "job:health":
      return e.ok
        ? c.green(`♥ healthy again: ${visible(e.message)}`)
        : c.yellow(`♡ health check failed: ${visible(e.message)}`);
    case "job:stop":
      return c.yellow(`■ stopping with ${e.signal} (${e.reason})`);
    case "job:exit":
      return stateColor(c, e.state)(`${STATE_SYMBOL[e.state]} ${exitLine(e)}`);
    case "job:restart":
      return c.yellow(`↻ restarting in ${formatMs(e.delayMs)} (attempt ${e.attempt})`);
    case "job:skip":
      return c.dim(`${STATE_SYMBOL.skipped} skipped: ${visible(skipReason(e))}`);
    case "job:reused":
      return stateColor(c, "reused")(`${STATE_SYMBOL.reused} ${reusedText(e)}`);
    case "job:cached":
      return c.cyan(`${STATE_SYMBOL.cached} ${cachedText(e)}`);
    case "job:change":
      return c.yellow(`✎ ${changeText(e)}`);
    case "job:matrix":
      return c.dim(
        `⋔ matrix built: ${e.instances.length === 0 ? `no instance, runs as ${visible(e.job)}` : visible(e.instances.join(", "))}`,
      );
    default:
      return undefined;
  }
}

/** "changed: src/a.js, src/b.js and 3 more" */
export function changeText(e: EventOf<"job:change">): string {
  const shown = e.paths.slice(0, 3).map(visible).join(", ");
  return `changed: ${shown}${e.count > 3 ? ` and ${e.count - 3} more` : ""}`;
}

/** A job name usable as a file name (matrix instances included): `test[os=linux]` → `test_os=linux_`. */
export const fileSafe = (name: string) => name.replace(/[^A-Za-z0-9_.=,-]/g, "_");

/** Control characters (C0, DEL, C1), which a terminal would act on instead of showing. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
const NAMED: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "\u001b": "\\e" };
const escapeControl = (ch: string) => {
  const code = ch.charCodeAt(0);
  return (
    NAMED[ch] ??
    (code < 0x80 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`)
  );
};

/** Text from a job file or a job (names, messages) made safe to print: controls shown as `\r`, `\x07`… */
export const visible = (text: string): string => text.replace(CONTROLS, escapeControl);

/** Words a shell reads as something else in command position: an assignment, a job, a keyword. */
const COMMAND_WORD =
  /=|^%|^(case|coproc|do|done|elif|else|esac|fi|for|function|if|in|select|then|time|until|while)$/;

/**
 * One argument quoted for a POSIX shell, so that pasting it gives back the same word and runs
 * nothing else: as is when it holds only safe characters, else in single quotes (`'it'\''s'`),
 * or, when it holds control characters, in `$'…'` with those escaped (`$'a\rb'`: bash, zsh, ksh,
 * POSIX 2024; a shell without it reads a harmless literal).
 */
export function shellQuote(arg: string, command = false): string {
  // A leading "=" is zsh's command-path expansion.
  if (/^[\w./:@%+,-][\w./:=@%+,-]*$/.test(arg) && !(command && COMMAND_WORD.test(arg))) return arg;
  if (arg.search(CONTROLS) === -1) return `'${arg.replaceAll("'", "'\\''")}'`;
  return `$'${arg.replace(/[\\']/g, "\\$&").replace(CONTROLS, escapeControl)}'`;
}

/** An argv as one line that a POSIX shell reads back as the same words, the first as the command. */
export const shellArgv = (argv: readonly string[]): string =>
  argv.map((a, i) => shellQuote(a, i === 0)).join(" ");
