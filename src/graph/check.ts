// A probe check with the expressions known only at start time substituted (by the run, or an export).
import type { ProbeCheck } from "./types.js";

/** The check with `expand` applied to each of its strings (`${{ env.* }}`, `${{ run.id }}`). */
export function expandCheck(check: ProbeCheck, expand: (value: string) => string): ProbeCheck {
  switch (check.kind) {
    case "log":
      return { kind: "log", pattern: expand(check.pattern) };
    case "tcp":
      return { kind: "tcp", host: expand(check.host), port: expand(check.port) };
    case "http":
      return { kind: "http", url: expand(check.url) };
    case "command":
      return { kind: "command", argv: check.argv.map(expand) };
    case "delay":
      return check;
  }
}
