// Signals to processes and groups (src/run/process/spawn.ts): true only when a live target got it.
// Signal 0 asks without sending, so that a wrong answer here cannot hit the test's own processes.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { groupExists, procInfo, signalGroup, signalProcess } from "../../src/run/process/spawn.js";

describe("signals", () => {
  it("reach a live group and process, and say so when they are gone", async () => {
    const child = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
    const pid = child.pid!;
    expect(procInfo(pid)).toMatchObject({ pid, pgid: pid, ppid: process.pid });
    expect(groupExists(pid)).toBe(true);
    expect(signalProcess(pid, "SIGCONT")).toBe(true);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    expect(signalGroup(pid, "SIGKILL")).toBe(true);
    await exited;
    expect(groupExists(pid)).toBe(false);
    expect(signalProcess(pid, "SIGTERM")).toBe(false);
    expect(procInfo(pid)).toBeUndefined();
  });

  it("refuse what is not a pid (never the caller's own group or every process)", () => {
    for (const bad of [Number.NaN, 0, -0, 1.5, Number.POSITIVE_INFINITY, process.pid, 1])
      expect([bad, signalGroup(bad, 0), signalProcess(bad, "SIGCONT")]).toEqual([bad, false, false]);
    expect(signalGroup(undefined, 0)).toBe(false);
  });
});
