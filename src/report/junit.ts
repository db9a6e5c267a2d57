// `--junit FILE`: a JUnit XML report, one testcase per job (failed and skipped marked, the tail of
// the job's output in the failure), written when the run ends. A job that did not succeed is a
// failure: failed, timed out, or stopped (by an interrupt, --timeout, --fail-fast, ctl), a daemon
// excepted (being stopped is its normal end).
import { writeFile } from "node:fs/promises";
import { type EndState, matrixNodes, type Reporter, type RunEvent, unreachable } from "../events.js";
import { systemError } from "../write-paths.js";
import { exitLine } from "./format.js";
import { cachedText, reusedText, skipReason } from "./words.js";

const TAIL_BYTES = 16 * 1024;

interface Case {
  state?: EndState;
  durationMs: number;
  message?: string;
  tail: Buffer;
  /** The last attempt's result (none: the job has none). */
  result?: unknown;
  /** Why it was last stopped. */
  stopped?: string;
}

export function junitReporter(file: string, suite: string, warn: (message: string) => void): Reporter {
  const cases = new Map<string, Case>();
  let daemons = new Set<string>();
  let end: Extract<RunEvent, { type: "run:end" }> | undefined;
  const get = (job: string) => {
    let c = cases.get(job);
    if (!c) {
      c = { durationMs: 0, tail: Buffer.alloc(0) };
      cases.set(job, c);
    }
    return c;
  };
  return {
    event(e: RunEvent) {
      switch (e.type) {
        case "run:start":
          for (const job of e.jobs) get(job);
          daemons = new Set(e.daemons);
          break;
        case "job:output": {
          const c = get(e.job);
          const joined =
            c.tail.length + e.data.length <= TAIL_BYTES ? Buffer.concat([c.tail, e.data]) : e.data;
          c.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - TAIL_BYTES)));
          break;
        }
        case "job:exit": {
          const c = get(e.job);
          c.durationMs += e.durationMs;
          c.message = exitLine(e, null, Number.POSITIVE_INFINITY);
          c.result = e.result;
          break;
        }
        case "job:skip":
          get(e.job).message = skipReason(e);
          break;
        case "job:reused":
          get(e.job).message = reusedText(e);
          get(e.job).result = e.result;
          break;
        case "job:cached":
          get(e.job).message = cachedText(e);
          get(e.job).result = e.result;
          break;
        case "job:stop":
          get(e.job).stopped = e.reason;
          break;
        case "job:matrix":
          cases.delete(e.placeholder);
          for (const job of matrixNodes(e)) get(job);
          break;
        case "run:end":
          end = e;
          for (const [job, state] of Object.entries(e.jobs)) get(job).state = state;
          break;
        case "job:start":
        case "job:ready":
        case "job:health":
        case "job:restart":
        case "run:control":
        case "job:change":
          break;
        default:
          unreachable(e);
      }
    },
    async close() {
      if (!end) return;
      const all = [...cases.entries()];
      const failed = ([job, c]: [string, Case]) =>
        c.state === "failed" || c.state === "timed_out" || (c.state === "stopped" && !daemons.has(job));
      const failures = all.filter(failed).length;
      const skipped = all.filter(([, c]) => c.state === "skipped").length;
      let xml = '<?xml version="1.0" encoding="UTF-8"?>\n';
      xml += `<testsuites name=${attr(suite)} tests="${all.length}" failures="${failures}" skipped="${skipped}" time="${seconds(end.durationMs)}">\n`;
      xml += `  <testsuite name=${attr(suite)} tests="${all.length}" failures="${failures}" skipped="${skipped}" time="${seconds(end.durationMs)}">\n`;
      for (const [job, c] of all) {
        xml += `    <testcase name=${attr(job)} classname=${attr(suite)} time="${seconds(c.durationMs)}">`;
        xml += properties(c.result);
        if (failed([job, c])) {
          const message =
            c.state === "stopped" ? `stopped (${c.stopped ?? "interrupt"})` : (c.message ?? c.state!);
          xml += `\n      <failure message=${attr(message)} type="${c.state}">${text(c.tail.toString())}</failure>\n    `;
        } else if (c.state === "skipped")
          xml += `\n      <skipped message=${attr(c.message ?? "skipped")}/>\n    `;
        else if (c.tail.length > 0)
          xml += `\n      <system-out>${text(c.tail.toString())}</system-out>\n    `;
        xml += "</testcase>\n";
      }
      xml += "  </testsuite>\n</testsuites>\n";
      // Its folder was checked before the run (cli/run.ts); one removed since costs the report, not the run.
      await writeFile(file, xml).catch((e) =>
        warn(`the JUnit report was not written to ${file}: ${systemError(e)}`),
      );
    },
  };
}

/** A result as testcase properties: `result.<key>` per key of an object, else `result` (strings as they are, other values as JSON). */
function properties(result: unknown): string {
  if (result === undefined || result === null) return "";
  const entries =
    typeof result === "object" && !Array.isArray(result)
      ? Object.entries(result).map(([k, v]) => [`result.${k}`, v] as const)
      : [["result", result] as const];
  const lines = entries.map(
    ([name, v]) =>
      `        <property name=${attr(name)} value=${attr(typeof v === "string" ? v : JSON.stringify(v))}/>\n`,
  );
  return `\n      <properties>\n${lines.join("")}      </properties>\n    `;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);
// XML 1.0 forbids most control characters, even escaped.
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "");
const text = (s: string) => clean(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const attr = (s: string) => `"${text(s).replace(/"/g, "&quot;").replace(/\n/g, "&#10;")}"`;
