// JavaScript targets (SPEC §1 "target"): exported functions and classes in a forked Node child.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, endStates, FIXTURES, runJobs, survivors, tempDir } from "../rig.js";

const TASKS = join(FIXTURES, "targets/tasks.mjs");
const run = (jobs: string, args: string[] = []) => runJobs(`version: 1\njobs:\n${jobs}`, args);
const exitOf = (r: Awaited<ReturnType<typeof run>>, job: string) => r.of("job:exit", job)[0]!;

describe("targets", () => {
  it("calls sync and async functions with args, and a class's run(); results in job:exit", async () => {
    const r = await run(`  add: { target: "${TASKS}#add", args: [2, 3] }
  later: { target: "${TASKS}#later", args: [{ deep: [1, "x"] }, 50] }
  counter: { target: "${TASKS}#Counter", args: [41] }
  default: { target: "${TASKS}" }
`);
    expect(r.code).toBe(0);
    expect(exitOf(r, "add")).toMatchObject({ state: "succeeded", exitCode: 0, result: 5 });
    expect(r.lines("add")).toEqual(["adding 2 and 3"]);
    const later = exitOf(r, "later").result as { value: unknown; pid: number; ppid: number; job: string };
    expect(later).toMatchObject({ value: { deep: [1, "x"] }, job: "later" });
    expect(later.ppid).toBe(r.of("run:start")[0]!.pid);
    expect(later.pid).toBe(r.of("job:start", "later")[0]!.pid);
    expect(exitOf(r, "counter").result).toBe(42);
    expect(exitOf(r, "default").result).toBe("the default export");
  });

  it("fails with the message of a thrown error or a rejection, the stack on stderr", async () => {
    const r = await run(`  boom: { target: "${TASKS}#boom" }
  rejects: { target: "${TASKS}#rejects" }
`);
    expect(r.code).toBe(1);
    expect(exitOf(r, "boom")).toMatchObject({ state: "failed", exitCode: 1, error: "boom: bad input" });
    expect(r.lines("boom", "stderr")[0]).toBe("Error: boom: bad input");
    expect(r.lines("boom", "stderr").some((l) => l.includes("tasks.mjs"))).toBe(true);
    expect(exitOf(r, "rejects")).toMatchObject({ state: "failed", error: "rejected on purpose" });
  });

  it("reports an unserializable result, process.exit(n), a missing export and a missing module clearly", async () => {
    const r = await run(
      `  circular: { target: "${TASKS}#circular" }
  exits: { target: "${TASKS}#exits" }
  noexport: { target: "${TASKS}#nope" }
  nomodule: { target: "./missing.mjs#run" }
`,
      ["--keep-going"],
    );
    expect(exitOf(r, "circular").error).toMatch(
      /^the result is not JSON-serializable: Converting circular structure/,
    );
    expect(exitOf(r, "exits")).toMatchObject({ state: "failed", exitCode: 3 });
    expect(exitOf(r, "exits").error).toBeUndefined();
    expect(exitOf(r, "noexport").error).toBe(`${TASKS} has no export "nope"`);
    expect(exitOf(r, "nomodule").error).toBe(`module not found: ${r.dir}/missing.mjs`);
    expect(r.lines("noexport", "stderr")).toEqual([]);
  });

  it("keeps the result of a target that disconnects; says so when a promise never settles", async () => {
    const dir = tempDir({ "tla.mjs": "await new Promise(() => {});\nexport const f = () => 1;\n" });
    const r = await runJobs(
      `version: 1
jobs:
  disconnects: { target: "${TASKS}#disconnects", args: [7] }
  never: { target: "${TASKS}#neverSettles" }
  stuck: { target: ./tla.mjs#f }
`,
      ["--keep-going"],
      { cwd: dir },
    );
    expect(exitOf(r, "disconnects")).toMatchObject({ state: "succeeded", result: { value: 7 } });
    expect(exitOf(r, "never")).toMatchObject({
      state: "failed",
      exitCode: 1,
      error: `target ${TASKS}#neverSettles returned a promise that never settled`,
    });
    expect(exitOf(r, "stuck").error).toBe(
      "module ./tla.mjs never finished loading (a top-level await never settled)",
    );
  });

  it("names the file, line and column of a syntax error, in the module or what it imports", async () => {
    const bad = "export function f() {\n  return 1 +;\n}\n";
    const dir = tempDir({
      "bad.mjs": bad,
      "lib/bad.cjs": bad.replace("export ", ""),
      "uses.mjs": 'import { f } from "./bad.mjs";\nexport const g = f;\n',
      // Runs once here; locating the error must not run it again.
      "dynamic.mjs":
        'import { appendFileSync } from "node:fs";\nappendFileSync("ran", "x");\nawait import("./uses.mjs");\nexport const h = 1;\n',
    });
    const r = await runJobs(
      `version: 1
jobs:
  bad: { target: ./bad.mjs#f }
  uses: { target: ./uses.mjs#g }
  cjs: { target: ./lib/bad.cjs }
  dynamic: { target: ./dynamic.mjs#h }
`,
      ["--keep-going"],
      { cwd: dir },
    );
    const error = "./bad.mjs:2:13: SyntaxError: Unexpected token ';'";
    expect(exitOf(r, "bad")).toMatchObject({ state: "failed", error });
    expect(r.lines("bad", "stderr")).toEqual([
      "./bad.mjs:2:13",
      "  return 1 +;",
      "            ^",
      "",
      "SyntaxError: Unexpected token ';'",
    ]);
    expect(exitOf(r, "uses").error).toBe(error);
    expect(exitOf(r, "cjs").error).toBe("./lib/bad.cjs:2:13: SyntaxError: Unexpected token ';'");
    expect(exitOf(r, "dynamic").state).toBe("failed");
    expect(readFileSync(join(dir, "ran"), "utf8")).toBe("x");
  });

  it("warns about a missing module when validating, and fails with --strict", async () => {
    const dir = tempDir({ "x.yaml": "version: 1\njobs:\n  a:\n    target: ./later.mjs#run\n" });
    const loose = await cli(["validate", "x.yaml"], { cwd: dir });
    expect(loose.code).toBe(0);
    expect(loose.stderr).toContain(
      "x.yaml:4:13: warning: jobs.a.target: module ./later.mjs does not exist (yet)",
    );
    expect((await cli(["validate", "--strict", "x.yaml"], { cwd: dir })).code).toBe(2);
  });

  it("ends when the function returns, even with a timer left running", async () => {
    const r = await run(`  timer: { target: "${TASKS}#leavesTimer", timeout: 20s }\n`);
    expect(exitOf(r, "timer")).toMatchObject({ state: "succeeded", result: "returned" });
    expect(exitOf(r, "timer").durationMs as number).toBeLessThan(10_000);
  });

  it("keeps memory apart: two jobs running the same module each count from zero", async () => {
    const r = await run(`  one: { target: "${TASKS}#bump" }
  two: { target: "${TASKS}#bump", needs: [one] }
`);
    expect([exitOf(r, "one").result, exitOf(r, "two").result]).toEqual([1, 1]);
  });

  it("a daemon target stays alive after returning, gated by a ready probe, until it is stopped", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const r =
      await run(`  api: { target: "${TASKS}#serve", args: [${port}], daemon: true, ready: { tcp: ${port}, interval: 50ms } }
  client: { command: [node, -e, "fetch('http://127.0.0.1:${port}/').then(r => r.text()).then(console.log)"], needs: [api] }
`);
    expect(r.code).toBe(0);
    expect(r.lines("client")).toEqual(["ok"]);
    expect(endStates(r)).toEqual({ api: "stopped", client: "succeeded" });
  });

  it("a daemon target that returns with nothing left running still lives until it is stopped", async () => {
    const r = await run(`  idle: { target: "${TASKS}#add", args: [1, 2], daemon: true }
  work: { command: [sleep, "0.5"], needs: { idle: started } }
`);
    expect(r.code).toBe(0);
    expect(endStates(r)).toEqual({ idle: "stopped", work: "succeeded" });
    expect(r.of("job:stop", "idle")[0]).toMatchObject({ reason: "daemon-done" });
  });

  it("cleans up what a target spawned", async () => {
    const dir = tempDir();
    const r = await runJobs(
      `version: 1\njobs:\n  spawner: { target: "${TASKS}#spawnsGrandchild", env: { PIDS_FILE: ${dir}/pids } }\n`,
      [],
      { cwd: dir },
    );
    const pid = exitOf(r, "spawner").result as number;
    expect(pid).toBeGreaterThan(1);
    expect(await survivors([pid])).toEqual([]);
  });

  it("runs a TypeScript module when tsx can be resolved from its folder", async () => {
    const r = await run(`  ts: { target: "${join(FIXTURES, "targets/typed.ts")}#sum", args: [1, 2, 3] }\n`);
    expect(exitOf(r, "ts")).toMatchObject({ state: "succeeded", result: { total: 6 } });
  });

  it("explains how to enable TypeScript modules when tsx is not installed", async () => {
    const dir = tempDir({ "task.ts": "export const run = (): number => 1;\n" });
    const r = await runJobs(`version: 1\njobs:\n  ts: { target: ./task.ts#run }\n`, [], { cwd: dir });
    expect(exitOf(r, "ts").error).toBe(
      `cannot load TypeScript module ${dir}/task.ts: install tsx next to the job file (npm install --save-dev tsx)`,
    );
  });
});
