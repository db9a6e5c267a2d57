// No orphans, the hard cases: a nested run ended by each signal, a background child that cleared its
// environment in its job's group, one that also left its session (caught only by a cgroup), each with
// and without the run's cgroup (PROCFLOW_NO_CGROUP=1).
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { alive, CLI, cli, survivors, tempDir, withEvents } from "../rig.js";
import { MODES } from "./orphan-modes.js";

/** Live processes (other than this one) whose environment or command line contains `text`. */
function mentioning(text: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "latin1").replace(/\0/g, " ").trim();
      if (
        (cmd.includes(text) || readFileSync(`/proc/${p}/environ`, "latin1").includes(text)) &&
        alive(Number(p))
      )
        out.push({ pid: Number(p), cmd });
    } catch {}
  }
  return out;
}

/** The cgroup v2 directory of a `0::/path` line, under the cgroup2 mount. */
function cgroupDir(line: string): string {
  const mount = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .find((l) => l.includes(" - cgroup2 "))!
    .split(" ");
  return join(mount[4]!, line.slice(3).slice(mount[3]!.length));
}

const readPid = (file: string) => Number(readFileSync(file, "utf8").trim());

const ENDINGS: Record<string, (pid: number) => void> = {
  SIGKILL: (pid) => process.kill(pid, "SIGKILL"),
  SIGTERM: (pid) => process.kill(pid, "SIGTERM"),
  SIGINT: (pid) => process.kill(pid, "SIGINT"),
  "a double SIGINT": (pid) => {
    process.kill(pid, "SIGINT");
    setTimeout(() => process.kill(pid, "SIGINT"), 300);
  },
};

describe.each(MODES)("a nested run, %s", (_, modeEnv) => {
  for (const [ending, end] of Object.entries(ENDINGS)) {
    it.concurrent(`${ending} of the outer run: nothing of either run is left`, async () => {
      const state = join(tempDir(), "state");
      mkdirSync(state, { mode: 0o700 });
      const env = { ...modeEnv, PROCFLOW_STATE_DIR: state };
      const dir = tempDir({
        "inner.yaml": `version: 1
concurrency: 8
jobs:
  innerjob: { command: [sleep, "100"] }
  innerd: { command: "trap '' TERM; sleep 101", shell: true, daemon: true }
  where: { command: 'echo "$PROCFLOW_RESULT" > inner.where', shell: true }
`,
        "outer.yaml": `version: 1
concurrency: 8
jobs:
  nested: { command: [node, ${CLI}, run, -o, lines, inner.yaml] }
  other: { command: [sleep, "100"] }
  where: { command: 'echo "$PROCFLOW_RESULT" > outer.where', shell: true }
`,
      });
      // Every job of both runs, both procflows and the inner watchdog carry the dir in PROCFLOW_FILE.
      const sleeps = () => mentioning(dir).filter((p) => /^sleep 10[01]$/.test(p.cmd));
      let before: number[] = [];
      const r = withEvents(
        await cli(["run", "outer.yaml", "-o", "json"], {
          cwd: dir,
          env,
          onSpawn: (child) => {
            const poll = setInterval(() => {
              const wrote = ["outer.where", "inner.where"].every((f) => existsSync(join(dir, f)));
              if (sleeps().length < 3 || !wrote) return;
              clearInterval(poll);
              before = mentioning(dir).map((p) => p.pid);
              end(child.pid!);
            }, 100);
            child.on("exit", () => clearInterval(poll));
          },
        }),
        dir,
      );
      expect(r.code ?? r.signal).not.toBe(0);
      expect(before.length).toBeGreaterThanOrEqual(6); // 3 sleeps, innerd's sh, inner procflow and watchdog
      const runId = r.of("run:start")[0]!.runId as string;
      const all = [...before, ...[...mentioning(dir), ...mentioning(runId)].map((p) => p.pid)];
      expect((await survivors(all, 10_000)).map(commandOf)).toEqual([]);
      // Nor their temp files: each run's results folder (the watchdogs had time: the processes are gone).
      for (const where of ["outer.where", "inner.where"]) {
        const folder = dirname(readFileSync(join(dir, where), "utf8").trim());
        expect([where, existsSync(folder)]).toEqual([where, false]);
      }
      // Nor either run's control socket and record (the outer watchdog kills the inner one first).
      expect(readdirSync(state).filter((f) => f !== "ports")).toEqual([]);
    });
  }
});

describe.each(MODES)("a job's background child that cleared its environment, %s", (_, env) => {
  it("in the job's group: killed at the end of the run", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1
jobs:
  a: { command: [sh, -c, 'env -i sleep 300 & echo $! > pid; echo started'] }
  b: { command: [sleep, "0.5"], needs: [a] }
`,
    });
    const r = withEvents(await cli(["run", "jobs.yaml", "-o", "json"], { cwd: dir, env }), dir);
    expect(r.code).toBe(0);
    expect(r.lines("a")).toEqual(["started"]);
    expect(await survivors([readPid(join(dir, "pid"))])).toEqual([]);
  });
});

describe("the run's cgroup", () => {
  /** Runs `command` as the only job; skips the test where procflow can have no cgroup. */
  async function inCgroup(command: string, skip: () => void, end?: (pid: number) => void) {
    const dir = tempDir({
      "jobs.yaml": `version: 1\njobs:\n  a: { command: [sh, -c, 'cat /proc/self/cgroup; ${command}'] }\n`,
    });
    let ended = false;
    let seen = "";
    const r = withEvents(
      await cli(["run", "jobs.yaml", "-o", "json"], {
        cwd: dir,
        onStdout: (text, child) => {
          seen += text;
          // Not before procflow has passed on the job's cgroup line, which the test reads.
          if (!end || ended || !seen.includes("0::/") || !existsSync(join(dir, "pid"))) return;
          ended = true;
          end(child.pid!);
        },
      }),
      dir,
    );
    const line = r.lines("a").find((l) => l.startsWith("0::")) ?? "";
    const runId = r.of("run:start")[0]!.runId as string;
    if (!line.endsWith(`/procflow-${runId}`)) skip();
    return { r, dir: cgroupDir(line), pid: readPid(join(dir, "pid")) };
  }

  it("holds a child that left its session and cleared its environment; removed at the end", async (ctx) => {
    const { r, dir, pid } = await inCgroup("setsid env -i sleep 300 & echo $! > pid; echo started", () =>
      ctx.skip(),
    );
    expect(r.code).toBe(0);
    expect(await survivors([pid])).toEqual([]);
    expect(await gone(dir)).toBe(true); // removed by the watchdog as procflow exits
  });

  it("after SIGKILL of procflow: the watchdog kills what is in it and removes it", async (ctx) => {
    const { r, dir, pid } = await inCgroup(
      "setsid env -i sleep 300 & echo $! > pid; echo started; exec sleep 300",
      () => ctx.skip(),
      (procflow) => process.kill(procflow, "SIGKILL"),
    );
    expect(r.signal).toBe("SIGKILL");
    expect(await survivors([pid])).toEqual([]);
    expect(await gone(dir)).toBe(true);
  });

  it("one left by a run killed before its watchdog started is removed by a later run's", async (ctx) => {
    const { r, dir } = await inCgroup("echo started > pid", () => ctx.skip());
    expect(r.code).toBe(0);
    // A sibling of the run's cgroup, as a run SIGKILLed while it started leaves it: empty, and old.
    const stale = join(dirname(dir), `procflow-stale-${process.pid}`);
    mkdirSync(stale);
    const old = new Date(Date.now() - 120_000);
    utimesSync(stale, old, old);
    const jobs = tempDir({ "jobs.yaml": 'version: 1\njobs:\n  a: { command: ["true"] }\n' });
    expect((await cli(["run", "jobs.yaml"], { cwd: jobs })).code).toBe(0);
    expect(await gone(stale)).toBe(true);
  });

  it("is not made with PROCFLOW_NO_CGROUP=1", async () => {
    const dir = tempDir({ "jobs.yaml": "version: 1\njobs:\n  a: { command: [cat, /proc/self/cgroup] }\n" });
    const r = withEvents(
      await cli(["run", "jobs.yaml", "-o", "json"], { cwd: dir, env: { PROCFLOW_NO_CGROUP: "1" } }),
      dir,
    );
    expect(r.code).toBe(0);
    expect(r.lines("a").join("\n")).not.toContain("procflow-");
  });
});

const commandOf = (pid: number) => {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, "latin1").replace(/\0/g, " ")}`;
  } catch {
    return `${pid}`;
  }
};

/** Waits up to 5 s for a path to disappear. */
async function gone(path: string): Promise<boolean> {
  for (let i = 0; i < 100 && existsSync(path); i++) await new Promise((r) => setTimeout(r, 50));
  return !existsSync(path);
}
