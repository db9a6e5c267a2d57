// The pure lifecycle decisions: how an attempt ended, and whether the job restarts by its policy.
import { describe, expect, it } from "vitest";
import type { StopReason } from "../../src/events.js";
import { type AttemptEnd, classifyExit, nextRestart } from "../../src/run/lifecycle.js";

const job = { daemon: false, successCodes: [0, 3] };
const end = (over: Partial<AttemptEnd>): AttemptEnd => ({
  exitCode: 0,
  signal: null,
  error: null,
  stopReason: null,
  ...over,
});

describe("classifyExit", () => {
  it("judges an exit by the success codes", () => {
    expect(classifyExit(job, end({ exitCode: 3 }))).toEqual({ state: "succeeded", error: null });
    expect(classifyExit(job, end({ exitCode: 1 }))).toEqual({ state: "failed", error: null });
    expect(classifyExit(job, end({ exitCode: null, signal: "SIGSEGV" })).state).toBe("failed");
  });

  it("counts a stop by the run or by request as stopped, whatever the exit code", () => {
    const reasons: StopReason[] = [
      "daemon-done",
      "fail-fast",
      "interrupt",
      "run-timeout",
      "parent-exit",
      "manual",
      "watch",
    ];
    for (const stopReason of reasons)
      expect(classifyExit(job, end({ exitCode: 1, stopReason })).state, stopReason).toBe("stopped");
  });

  it("counts the job's own supervision as its failure", () => {
    expect(classifyExit(job, end({ stopReason: "timeout", error: "timed out after 1s" }))).toEqual({
      state: "timed_out",
      error: "timed out after 1s",
    });
    expect(classifyExit(job, end({ stopReason: "ready-timeout", error: "not ready" })).state).toBe("failed");
    expect(classifyExit(job, end({ stopReason: "health", error: "unhealthy" })).state).toBe("failed");
    expect(classifyExit(job, end({ exitCode: null, error: "command not found: x" })).state).toBe("failed");
  });

  it("fails a daemon that exits on its own, even with exit code 0", () => {
    expect(classifyExit({ ...job, daemon: true }, end({ exitCode: 0 }))).toEqual({
      state: "failed",
      error: "daemon exited before the work was done (exit code 0)",
    });
  });
});

describe("nextRestart", () => {
  const policy = (restart: "never" | "on-failure" | "always") => ({
    restart,
    maxRestarts: 3,
    restartDelayMs: 1000,
  });

  it("follows the policy and never restarts a stopped job", () => {
    expect(nextRestart(policy("never"), "failed", 0)).toBeNull();
    expect(nextRestart(policy("on-failure"), "succeeded", 0)).toBeNull();
    expect(nextRestart(policy("on-failure"), "timed_out", 0)).toEqual({ delayMs: 1000 });
    expect(nextRestart(policy("always"), "succeeded", 0)).toEqual({ delayMs: 1000 });
    expect(nextRestart(policy("always"), "stopped", 0)).toBeNull();
  });

  it("doubles the delay up to 30 s and stops at max_restarts", () => {
    expect(nextRestart(policy("always"), "failed", 2)).toEqual({ delayMs: 4000 });
    expect(nextRestart(policy("always"), "failed", 3)).toBeNull();
    expect(nextRestart({ restart: "always", maxRestarts: 99, restartDelayMs: 1000 }, "failed", 10)).toEqual({
      delayMs: 30_000,
    });
  });
});
