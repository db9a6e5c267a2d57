// The words for what events say as facts: why a job was skipped, how a job ended.
import type { EndState, EventOf } from "../events.js";

/** A state as the end of a sentence: "failed", "timed out", "was skipped". */
export function endedHow(state: EndState): string {
  switch (state) {
    case "timed_out":
      return "timed out";
    case "skipped":
      return "was skipped";
    case "stopped":
      return "was stopped";
    case "reused":
      return "was reused";
    default:
      return state;
  }
}

/** A job reused from an earlier run (--rerun-failed): `reused from run 1a2b3c4d`. */
export const reusedText = (e: EventOf<"job:reused">): string => `reused from run ${e.fromRun.slice(0, 8)}`;
/** What a cached job's event says: `cached (3f2a9c1b7d0e, from run 1b2c3d4e; 2 files restored)`. */
export function cachedText(e: EventOf<"job:cached">): string {
  const restored = e.restored > 0 ? `; ${e.restored} file${e.restored === 1 ? "" : "s"} restored` : "";
  return `cached (${e.fingerprint.slice(0, 12)}, from run ${e.fromRun.slice(0, 8)}${restored})`;
}

/** Why a job was skipped, in words: `needs build: success, but build failed`. */
export function skipReason(e: EventOf<"job:skip">): string {
  switch (e.cause) {
    case "need": {
      if (e.condition === "failure" && e.needJob !== undefined)
        return `needs ${e.need}: failure, but ${e.need} did not fail`;
      const early =
        e.early && e.condition === "ready" ? " before it was ready" : e.onRequest ? " on request" : "";
      return `needs ${e.need}: ${e.condition}, but ${e.needJob ?? e.need} ${endedHow(e.needState)}${early}`;
    }
    case "policy":
      return `not started: ${e.failed} ${endedHow(e.failedState)}`;
    case "interrupt":
      return `not started: ${
        e.by === "run-timeout"
          ? "the run's time limit expired"
          : e.by === "parent-exit"
            ? "the process that started procflow exited"
            : `interrupted by ${e.by}`
      }`;
    case "manual":
      return "stopped on request before it started";
    case "if":
      return `if: ${e.expression} is false`;
    case "end":
      return e.onRequest ? "not started: the run was ended on request" : "the work it serves is done";
  }
}
