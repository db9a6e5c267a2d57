// No orphans (SPEC §6): however a run ends, nothing it started — grandchildren in the job's group,
// escapees in their own session, double-forked daemons, processes ignoring SIGTERM — is alive 2 s later.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI as CLI_PATH, cli, FIXTURES, processesOfRun, survivors, tempDir, withEvents } from "../rig.js";
import { MODES } from "./orphan-modes.js";

const TREE = join(FIXTURES, "bin/tree.mjs");

/** A job running the tree fixture; it records 1 + children + escape + double-fork pids. */
const tree = (flags: string) => ({ command: `node ${TREE} ${flags}`, count: 1 + countOf(flags) });
const countOf = (flags: string) =>
  (Number(/--children (\d+)/.exec(flags)?.[1] ?? 0) || 0) +
  (flags.includes("--escape") ? 1 : 0) +
  (flags.includes("--double-fork") ? 1 : 0);

const readPids = (file: string): number[] => {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

interface Scenario {
  jobs: Record<string, { flags: string; extra?: string }>;
  args?: string[];
  env?: Record<string, string>;
  /** Once every tree is up: what ends the run. */
  end?: (pid: number) => void;
}

async function run(s: Scenario) {
  const dir = tempDir();
  const expected = Object.values(s.jobs).reduce((n, j) => n + tree(j.flags).count, 0);
  let yaml = "version: 1\njobs:\n";
  for (const [name, j] of Object.entries(s.jobs)) {
    yaml += `  ${name}:\n    command: ${tree(j.flags).command}\n    env: { PIDS_FILE: ${join(dir, `${name}.pids`)} }\n${j.extra ?? ""}`;
  }
  writeFileSync(join(dir, "jobs.yaml"), yaml);
  const allPids = () => Object.keys(s.jobs).flatMap((n) => readPids(join(dir, `${n}.pids`)));
  let ended = false;
  const r = await cli(["run", "jobs.yaml", "-o", "json", ...(s.args ?? [])], {
    cwd: dir,
    env: s.env,
    onSpawn: (child) => {
      if (!s.end) return;
      const poll = setInterval(() => {
        if (ended || allPids().length < expected) return;
        ended = true;
        clearInterval(poll);
        s.end!(child.pid!);
      }, 50);
      child.on("exit", () => clearInterval(poll));
    },
  });
  const result = withEvents(r, dir);
  const pids = allPids();
  const runId = result.of("run:start")[0]?.runId as string;
  return { result, pids, expected, runId, left: await survivors(pids), leftByRunId: processesOfRun(runId) };
}

const everything = "--children 2 --escape --double-fork";

describe.each(MODES)("no orphans, %s", (_, mode) => {
  /** A run whose every process reported its pid (else "nothing survived" would prove nothing). */
  const scenario = async (s: Scenario) => {
    const r = await run({ ...s, env: { ...mode, ...s.env } });
    expect(r.pids).toHaveLength(r.expected);
    return r;
  };

  it("after success: background children of finished jobs are cleaned up at the end", async () => {
    const s = await scenario({ jobs: { a: { flags: `${everything} --exit-after 0.3` } } });
    expect(s.result.code).toBe(0);
    expect(s.left).toEqual([]);
    expect(s.leftByRunId).toEqual([]);
  });

  it("after a failure, SIGTERM-ignoring grandchildren included", async () => {
    const s = await scenario({
      jobs: {
        a: { flags: `${everything} --ignore-term --exit-after 0.3`, extra: "    kill_timeout: 300ms\n" },
        b: { flags: "--exit-after 0.3", extra: "    success_codes: [3]\n" },
      },
    });
    expect(s.result.code).toBe(1);
    expect(s.left).toEqual([]);
    expect(s.leftByRunId).toEqual([]);
  });

  it("after --fail-fast", async () => {
    const s = await scenario({
      jobs: { a: { flags: everything }, b: { flags: "--exit-after 0.5", extra: "    success_codes: [3]\n" } },
      args: ["--fail-fast"],
    });
    expect(s.result.code).toBe(1);
    expect(s.result.of("job:stop", "a")[0]).toMatchObject({ reason: "fail-fast" });
    expect(s.left).toEqual([]);
  });

  it("after a job timeout", async () => {
    const s = await scenario({
      jobs: {
        a: { flags: `${everything} --ignore-term`, extra: "    timeout: 1s\n    kill_timeout: 200ms\n" },
      },
    });
    expect(s.result.code).toBe(1);
    expect(s.result.of("job:exit", "a")[0]).toMatchObject({ state: "timed_out" });
    expect(s.left).toEqual([]);
  });

  it("after --timeout of the whole run: exit 124", async () => {
    const s = await scenario({ jobs: { a: { flags: everything } }, args: ["--timeout", "1.5s"] });
    expect(s.result.code).toBe(124);
    expect(s.left).toEqual([]);
  });

  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    it(`after ${signal} (graceful): exit ${code}`, async () => {
      const s = await scenario({
        jobs: { a: { flags: everything }, b: { flags: "--children 1" } },
        end: (pid) => process.kill(pid, signal),
      });
      expect(s.result.code).toBe(code);
      expect(s.result.of("run:end")[0]).toMatchObject({ state: "interrupted", exitCode: code });
      expect(s.result.of("job:stop").map((e) => e.signal)).toContain("SIGTERM");
      expect(s.left).toEqual([]);
    });
  }

  it("after a second SIGINT: everything is killed at once", async () => {
    const s = await scenario({
      jobs: { a: { flags: `${everything} --ignore-term`, extra: "    kill_timeout: 60s\n" } },
      end: (pid) => {
        process.kill(pid, "SIGINT");
        setTimeout(() => process.kill(pid, "SIGINT"), 300);
      },
    });
    expect(s.result.code).toBe(130);
    expect(s.result.of("job:stop", "a").map((e) => e.signal)).toEqual(["SIGTERM", "SIGKILL"]);
    const end = s.result.of("run:end")[0]!;
    expect(end.durationMs as number).toBeLessThan(30_000);
    expect(s.left).toEqual([]);
  });

  it("after an internal error of procflow: exit 70, how to report it, and nothing of the run is left", async () => {
    const s = await scenario({ jobs: { a: { flags: everything } }, env: { PROCFLOW_DEBUG_CRASH: "1500" } });
    expect(s.result.code).toBe(70);
    expect(s.result.stderr).toContain("procflow: internal error");
    expect(s.result.stderr).toContain("please report it");
    expect(s.left).toEqual([]);
  });

  it("a nested run cleans up its own processes only, never its parent run's", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "inner.yaml"),
      `version: 1\njobs:\n  inner: { command: node ${TREE} --escape --exit-after 0.2, env: { PIDS_FILE: ${join(dir, "inner.pids")} } }\n`,
    );
    writeFileSync(
      join(dir, "jobs.yaml"),
      `version: 1
jobs:
  sibling: { command: node ${TREE} --children 1, env: { PIDS_FILE: ${join(dir, "sibling.pids")} }, daemon: true }
  nested: { command: [node, ${CLI_PATH}, run, inner.yaml, -o, json], needs: { sibling: started } }
  check: { command: [sh, -c, 'sleep 0.5; for p in $(cat sibling.pids); do kill -0 $p || exit 9; done'], needs: [nested] }
`,
    );
    const r = withEvents(await cli(["run", "jobs.yaml", "-o", "json"], { cwd: dir, env: mode }), dir);
    expect(r.of("job:exit", "check")[0]).toMatchObject({ state: "succeeded" });
    expect(r.code).toBe(0);
    expect(
      await survivors([...readPids(join(dir, "inner.pids")), ...readPids(join(dir, "sibling.pids"))]),
    ).toEqual([]);
  });

  it("after SIGKILL of procflow itself: the watchdog cleans up", async () => {
    const s = await scenario({
      jobs: { a: { flags: `${everything} --ignore-term` }, b: { flags: "--children 1" } },
      end: (pid) => process.kill(pid, "SIGKILL"),
    });
    expect(s.result.signal).toBe("SIGKILL");
    expect(s.left).toEqual([]);
    expect(s.leftByRunId).toEqual([]);
  });
});
