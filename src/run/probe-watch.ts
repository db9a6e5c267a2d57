// Watching a running job with its probes: the ready probe (once, until it passes or times out) and
// the health check (every interval, until `retries` failures in a row). Timers go through the host,
// which clears them when the attempt ends, so nothing keeps a finished run alive.
import type { StopReason } from "../events.js";
import type { Probe, ProbeCheck } from "../graph/types.js";
import { formatMs } from "../load/duration.js";
import { compileLogPattern } from "../load/log-pattern.js";
import { checkOnce } from "./probes.js";

/** One check of a tcp/http/command probe may take this long at most. */
const CHECK_TIMEOUT_MS = 5000;

/** What a probe needs from the job it watches. */
export interface ProbeHost {
  /** The job's process is running. */
  readonly alive: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Runs `fn` after `ms`, unless the attempt ends first. */
  after(ms: number, fn: () => void): void;
  /** Offers every output line to `matcher` while it is set. */
  matchLines(matcher: ((line: string) => void) | null): void;
  /** The health changed between ok and failing. */
  health(ok: boolean, message: string): void;
  /** The probe gave up on the job: stop it, and it has failed with `message`. */
  fail(reason: StopReason, message: string): void;
}

/** Calls `pass` once the ready probe passes; fails the job when its timeout runs out first. */
export function watchReady(host: ProbeHost, probe: Probe, pass: () => void): void {
  let settled = false;
  /** What the last failed check said: the likely reason, if the probe times out. */
  let lastFailure: string | null = null;
  const passOnce = () => {
    if (settled || !host.alive) return;
    settled = true;
    host.matchLines(null);
    pass();
  };
  host.after(probe.timeoutMs, () => {
    if (settled) return;
    settled = true;
    host.matchLines(null);
    const why = lastFailure ? `last check: ${lastFailure}` : `ready probe: ${describeCheck(probe.check)}`;
    host.fail("ready-timeout", `not ready after ${formatMs(probe.timeoutMs)} (${why})`);
  });
  const check = probe.check;
  switch (check.kind) {
    case "delay":
      host.after(check.ms, passOnce);
      return;
    case "log": {
      const re = logRegex(host, "ready-timeout", check.pattern);
      if (!re) {
        settled = true;
        return;
      }
      host.matchLines((line) => {
        if (re.test(line)) passOnce();
      });
      return;
    }
    default: {
      const deadline = Date.now() + probe.timeoutMs;
      const attempt = async () => {
        if (settled || !host.alive) return;
        const timeout = Math.max(1, Math.min(CHECK_TIMEOUT_MS, deadline - Date.now()));
        const r = await checkOnce(check, timeout, host.cwd, host.env);
        if (r.ok) return passOnce();
        lastFailure = r.message;
        if (!settled && host.alive) host.after(probe.intervalMs, attempt);
      };
      void attempt();
    }
  }
}

/** Checks the job every interval; after `retries` failures in a row, fails it. */
export function watchHealth(host: ProbeHost, probe: Probe): void {
  let failures = 0;
  let healthy = true;
  let logSeen = false;
  const check = probe.check;
  if (check.kind === "log") {
    const re = logRegex(host, "health", check.pattern);
    if (!re) return;
    // One match per interval is all a tick asks: the lines after it are not matched.
    host.matchLines((line) => {
      if (!logSeen && re.test(line)) logSeen = true;
    });
  }
  const report = (ok: boolean, message: string) => {
    if (!host.alive) return;
    if (ok !== healthy) {
      healthy = ok;
      host.health(ok, message);
    }
    failures = ok ? 0 : failures + 1;
    if (failures >= probe.retries)
      host.fail("health", `health check failed ${failures} times in a row: ${message}`);
    else host.after(probe.intervalMs, tick);
  };
  const tick = async () => {
    if (!host.alive) return;
    if (check.kind === "log") {
      const seen = logSeen;
      logSeen = false;
      report(
        seen,
        seen
          ? `log /${check.pattern}/ seen`
          : `no line matched /${check.pattern}/ in ${formatMs(probe.intervalMs)}`,
      );
    } else if (check.kind !== "delay") {
      const r = await checkOnce(check, Math.min(probe.timeoutMs, CHECK_TIMEOUT_MS), host.cwd, host.env);
      report(r.ok, r.message);
    }
  };
  host.after(probe.intervalMs, tick);
}

/** A log probe's regex; null, having failed the job, when the pattern (after `${{ }}`) cannot be one. */
function logRegex(host: ProbeHost, reason: StopReason, pattern: string): RegExp | null {
  const compiled = compileLogPattern(pattern);
  if ("regex" in compiled) return compiled.regex;
  host.fail(reason, `log probe /${pattern}/: ${compiled.problem}`);
  return null;
}

function describeCheck(c: ProbeCheck): string {
  switch (c.kind) {
    case "log":
      return `log /${c.pattern}/`;
    case "tcp":
      return `tcp ${c.host}:${c.port}`;
    case "http":
      return `http ${c.url}`;
    case "command":
      return `command ${c.argv.join(" ")}`;
    case "delay":
      return `delay ${formatMs(c.ms)}`;
  }
}
