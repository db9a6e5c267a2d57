// The wrapper that started procflow (SPEC §19): `npx procflow run` or `npm run <script>` stopped by the
// wrapper's pid ends the run; `setsid` and `--detach` runs outlive their parent; a signal to the whole
// group stays one graceful stop.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  alive,
  CLI,
  FIXTURES,
  processesOfRun,
  type RunResult,
  survivors,
  tempDir,
  withEvents,
} from "../rig.js";

const CHECKOUT = new URL("../../", import.meta.url).pathname;
const TREE = join(FIXTURES, "bin/tree.mjs");
const JOBS = `version: 1
jobs:
  service: { command: node ${TREE} --children 1 --escape, daemon: true }
  worker: { command: node ${TREE} --children 1 }
`;
const ENV = {
  ...process.env,
  CI: "true",
  NO_COLOR: "1",
  npm_config_offline: "true",
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
};
/** A parent that starts its arguments with inherited stdio and, stopped, does not pass the signal on. */
const HARNESS = `require("node:child_process").spawn(process.argv[1], process.argv.slice(2), { stdio: "inherit" })`;

/** A project that depends on this checkout, as `npm install` of it would leave it, with `npm run dev`. */
function project(jobs = JOBS): string {
  const dir = tempDir({
    "package.json": JSON.stringify({
      name: "app",
      private: true,
      scripts: { dev: "procflow run jobs.yaml -o json" },
      dependencies: { procflow: "*" },
    }),
    "jobs.yaml": jobs,
  });
  mkdirSync(join(dir, "node_modules/.bin"), { recursive: true });
  symlinkSync(CHECKOUT, join(dir, "node_modules/procflow"));
  symlinkSync("../procflow/bin/procflow.js", join(dir, "node_modules/.bin/procflow"));
  return dir;
}

const started = new Set<number>();
afterEach(() => {
  // A procflow still running here belongs to a failed test: SIGKILL it (its watchdog cleans up).
  for (const pid of started) if (alive(pid)) process.kill(pid, "SIGKILL");
  started.clear();
});

interface Launched {
  readonly wrapper: ChildProcess;
  /** procflow's pid and run id, once every job has printed that it started. */
  readonly procflow: number;
  readonly runId: string;
  /** The run's events so far. */
  result(): RunResult;
  /** Resolves once procflow has exited (it held the wrapper's stdout), with the run's events. */
  readonly closed: Promise<RunResult>;
}

/** Starts `command args` in `dir`; resolves once every job of the run has printed "tree started" or "up". */
async function launch(command: string, args: string[], dir: string, detached = false): Promise<Launched> {
  const wrapper = spawn(command, args, { cwd: dir, env: ENV, stdio: ["ignore", "pipe", "pipe"], detached });
  let stdout = "";
  let stderr = "";
  wrapper.stdout!.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
  });
  wrapper.stderr!.setEncoding("utf8").on("data", (s: string) => {
    stderr += s;
  });
  const result = () =>
    withEvents(
      { code: null, signal: null, stdout: stdout.slice(0, stdout.lastIndexOf("\n") + 1), stderr, pid: 0 },
      dir,
    );
  const closed = new Promise<RunResult>((resolve) => wrapper.stdout!.on("close", () => resolve(result())));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = result();
    const jobs = (r.of("run:start")[0]?.jobs as string[] | undefined) ?? [];
    const up = jobs.filter((j) => r.lines(j).some((l) => l === "tree started" || l === "up"));
    if (jobs.length > 0 && up.length === jobs.length) {
      const start = r.of("run:start")[0]!;
      started.add(start.pid as number);
      return { wrapper, procflow: start.pid as number, runId: start.runId as string, result, closed };
    }
    if (Date.now() > deadline) throw new Error(`the run did not start:\n${stdout}\n${stderr}`);
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ppidOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
};
const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });

/** Resolves with the run's events once procflow exited, or null when it is still running after `ms`. */
const within = (run: Launched, ms: number) => Promise.race([run.closed, sleep(ms).then(() => null)]);

describe("the wrapper that started procflow", () => {
  const wrappers: [string, string, string[]][] = [
    ["npx procflow run", "npx", ["procflow", "run", "jobs.yaml", "-o", "json"]],
    ["npm run dev", "npm", ["run", "--silent", "dev"]],
  ];
  for (const [name, command, args] of wrappers) {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      it(`${name}, sent ${signal} by its pid: nothing of the run is left`, async () => {
        const run = await launch(command, args, project());
        // npm starts procflow through `sh -c` (dash does not exec the command), and sh keeps the signal
        // to itself: the wrapper's exit is what ends the run. On SIGINT, sh waits for its child, so
        // npm does not exit; a harness then kills it, as execa's forceKillAfterDelay does.
        const behindShell = ppidOf(run.procflow) !== run.wrapper.pid;
        run.wrapper.kill(signal);
        if (await Promise.race([exited(run.wrapper).then(() => false), sleep(1000).then(() => true)]))
          run.wrapper.kill("SIGKILL");
        const r = await within(run, 5000);
        expect(r, "procflow still running 5 s after its wrapper was stopped").not.toBeNull();
        const code = behindShell ? 143 : signal === "SIGINT" ? 130 : 143;
        expect(r!.of("run:end")[0]).toMatchObject({
          state: "interrupted",
          exitCode: code,
          jobs: { service: "stopped", worker: "stopped" },
        });
        const reasons = r!.of("job:stop").map((e) => e.reason);
        expect(reasons).toHaveLength(2);
        expect(new Set(reasons)).toEqual(new Set([behindShell ? "parent-exit" : "interrupt"]));
        expect(await survivors([run.procflow])).toEqual([]);
        expect(processesOfRun(run.runId)).toEqual([]);
      });
    }
  }

  it("a SIGTERM to the wrapper's whole group is one graceful stop, not two signals", async () => {
    // npm exits at once, procflow stops a job that takes 1 s to end; the wrapper's exit on the way must
    // not turn that into an immediate SIGKILL.
    const run = await launch(
      "npx",
      ["procflow", "run", "jobs.yaml", "-o", "json"],
      project(`version: 1
jobs:
  worker: { command: [sh, -c, "trap 'sleep 1; exit 0' TERM; echo up; while :; do sleep 0.1; done"], kill_timeout: 30s }
`),
      true,
    );
    process.kill(-run.wrapper.pid!, "SIGTERM");
    const r = await within(run, 10_000);
    expect(r).not.toBeNull();
    expect(r!.of("job:stop", "worker").map((e) => [e.signal, e.reason])).toEqual([["SIGTERM", "interrupt"]]);
    expect(r!.of("run:end")[0]).toMatchObject({ exitCode: 143, jobs: { worker: "stopped" } });
  });

  for (const [name, argv] of [
    ["setsid procflow run", ["setsid", process.execPath, CLI, "run", "jobs.yaml", "-o", "json"]],
    ["procflow run --detach", [process.execPath, CLI, "run", "jobs.yaml", "-o", "json", "--detach"]],
  ] as const) {
    it(`${name} outlives the parent that started it`, async () => {
      const run = await launch(process.execPath, ["-e", HARNESS, "--", ...argv], project());
      run.wrapper.kill("SIGKILL");
      await exited(run.wrapper);
      expect(await within(run, 2000), "the run ended with its parent").toBeNull();
      expect(run.result().of("job:stop")).toEqual([]);
      expect(alive(run.procflow)).toBe(true);
      process.kill(run.procflow, "SIGTERM");
      const r = await within(run, 10_000);
      expect(r!.of("job:stop").map((e) => e.reason)).toEqual(["interrupt", "interrupt"]);
      expect(r!.of("run:end")[0]).toMatchObject({ exitCode: 143 });
      expect(processesOfRun(run.runId)).toEqual([]);
    });
  }
});
