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
    default:
      return state;
  }
}

/** Why a job was skipped, in words: `needs build: success, but build failed`. */
export function skipReason(e: EventOf<"job:skip">): string {
  switch (e.cause) {
    case "need": {
      if (e.condition === "failure" && e.needJob !== undefined)
        return `needs ${e.need}: failure, but ${e.need} did not fail`;
      const early = e.early && e.condition === "ready" ? " before it was ready" : "";
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
