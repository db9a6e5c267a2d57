// Watch mode (SPEC §12): `procflow run --watch` restarts what changed and what depends on it, with real
// files and real processes.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { alive, cli, type Event, FIXTURES, type LiveRun, startLive, tempDir } from "../rig.js";

const TREE = `${FIXTURES}bin/tree.mjs`;
const OLD_ALIVE = `${FIXTURES}bin/old-alive.mjs`;

const write = (run: LiveRun, path: string, content = String(Date.now())) => {
  mkdirSync(dirname(join(run.dir, path)), { recursive: true });
  writeFileSync(join(run.dir, path), content);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const startOf = (job: string, attempt: number) => (e: Event) =>
  e.type === "job:start" && e.job === job && e.attempt === attempt;

let runs: LiveRun[] = [];
afterEach(async () => {
  // Every run ends with Ctrl-C: a watch run never ends by itself.
  for (const run of runs) run.child.kill("SIGINT");
  for (const run of runs) expect((await run.done).code).toBe(130);
  runs = [];
});
const live = (yaml: string, files: Record<string, string> = {}, args: string[] = []) => {
  const run = startLive(yaml, ["--watch", "--no-control", ...args], { "src/a.js": "1", ...files });
  runs.push(run);
  return run;
};

/** A daemon whose process tree (itself, a grandchild in its group, a setsid escapee) is listed in pids.N; each attempt first says which pids of the one before are alive. */
const TREE_DAEMON = (
  extra = "",
) => `    command: node ${OLD_ALIVE} pids.$((PROCFLOW_ATTEMPT - 1)); PIDS_FILE=pids.$PROCFLOW_ATTEMPT exec node ${TREE} --children 1 --escape ${extra} --print listening
    shell: true
    daemon: true
    ready: { log: listening }`;

describe("procflow run --watch", () => {
  it("a change restarts the daemon once its whole tree is gone, then its dependent after it is ready again", async () => {
    const run = live(`version: 1
jobs:
  api:
${TREE_DAEMON()}
    watch: [src/**/*.js]
  client:
    command: [echo, hello]
    needs: [api]
`);
    await run.until((e) => e.type === "job:exit" && e.job === "client");
    const first = run.of("job:start", "api")[0]!;
    const tree = readFileSync(join(run.dir, "pids.1"), "utf8").split("\n").filter(Boolean).map(Number);
    expect(tree).toHaveLength(3);
    write(run, "src/a.js");
    const second = await run.until(startOf("api", 2));
    const again = await run.until(startOf("client", 2));
    expect(run.of("job:change")).toEqual([
      expect.objectContaining({ job: "api", paths: ["src/a.js"], count: 1 }),
    ]);
    expect(run.of("job:stop", "api")).toEqual([expect.objectContaining({ reason: "watch" })]);
    expect(run.of("job:restart", "api")).toEqual([expect.objectContaining({ attempt: 2, reason: "watch" })]);
    expect(second.pid).not.toBe(first.pid);
    // Attempt 2 looked at attempt 1's tree when it started: nothing of it was left.
    await run.until((e) => e.type === "job:output" && e.job === "api" && e.seq > second.seq);
    expect(run.of("job:output", "api").map((e) => e.line)).toContain("old alive: none");
    expect(tree.filter(alive)).toEqual([]);
    const ready2 = run.events.find((e) => e.type === "job:ready" && e.job === "api" && e.seq > second.seq)!;
    expect(ready2).toBeDefined();
    expect(again.seq).toBeGreaterThan(ready2.seq);
    expect(run.of("job:change")[0]!.seq).toBeLessThan(run.of("job:stop", "api")[0]!.seq);
  });

  it("twenty writes within the quiet period cause one restart, whose change lists at most 20 paths", async () => {
    const run = live(`version: 1
jobs:
  api:
    command: [node, ${TREE}]
    daemon: true
    watch: { paths: [src/**], debounce: 300ms }
`);
    await run.until(startOf("api", 1));
    for (let i = 0; i < 25; i++) {
      write(run, `src/f${i}.js`);
      await sleep(5);
    }
    const second = await run.until(startOf("api", 2));
    // Long enough for a second quiet period to end, had the writes been split into two.
    await sleep(800);
    expect(run.of("job:start", "api")).toHaveLength(2);
    const changes = run.of("job:change");
    expect(changes).toHaveLength(1);
    expect(changes[0]!.count).toBe(25);
    expect(changes[0]!.paths).toHaveLength(20);
    expect(changes[0]!.paths).toContain("src/f0.js");
    expect(second.attempt).toBe(2);
  });

  it("changes to ignored paths, node_modules/ and .git/ restart nothing", async () => {
    const run = live(`version: 1
jobs:
  api:
    command: [node, ${TREE}]
    daemon: true
    watch: { paths: ["**/*.js"], ignore: ["gen/**"], debounce: 50ms }
`);
    await run.until(startOf("api", 1));
    write(run, "gen/x.js");
    write(run, "node_modules/m/index.js");
    write(run, ".git/hooks/x.js");
    write(run, "src/a.txt");
    await sleep(400);
    write(run, "src/a.js");
    await run.until(startOf("api", 2));
    expect(run.of("job:change")).toEqual([expect.objectContaining({ paths: ["src/a.js"], count: 1 })]);
  });

  it("the job file and the files it includes are not watched", async () => {
    const inc = 'version: 1\njobs:\n  other: { command: "true" }\n';
    const run = live(
      `version: 1
include: [inc.yaml]
jobs:
  api:
    command: [node, ${TREE}]
    daemon: true
    watch: { paths: ["*.yaml"], debounce: 50ms }
`,
      { "inc.yaml": inc },
    );
    await run.until(startOf("api", 1));
    write(run, "inc.yaml", `${inc}# edited\n`);
    write(run, "jobs.yaml", `${readFileSync(join(run.dir, "jobs.yaml"), "utf8")}# edited\n`);
    await sleep(400);
    write(run, "x.yaml");
    await run.until(startOf("api", 2));
    expect(run.of("job:change")).toEqual([expect.objectContaining({ paths: ["x.yaml"], count: 1 })]);
  });

  it("a watched folder removed and made again is still watched (a checkout, rm -rf and a new copy)", async () => {
    const run = live(`version: 1
jobs:
  api:
    command: [node, ${TREE}]
    daemon: true
    watch: { paths: ["src/**"], debounce: 50ms }
`);
    await run.until(startOf("api", 1));
    rmSync(join(run.dir, "src"), { recursive: true });
    await run.until(startOf("api", 2));
    await sleep(300);
    write(run, "src/a.js", "2");
    await run.until(startOf("api", 3));
    await sleep(300);
    write(run, "src/new.js");
    await run.until(startOf("api", 4));
    expect(run.of("job:change").map((e) => e.paths)).toEqual([["src/a.js"], ["src/a.js"], ["src/new.js"]]);
  });

  it("a change during a slow stop leads to exactly one more restart, never two live processes", async () => {
    const run = live(`version: 1
jobs:
  api:
${TREE_DAEMON("--ignore-term")}
    kill_timeout: 1s
    watch: { paths: [src/**], debounce: 50ms }
`);
    await run.until((e) => e.type === "job:ready" && e.job === "api");
    write(run, "src/a.js");
    await run.until((e) => e.type === "job:stop" && e.job === "api");
    write(run, "src/b.js");
    await sleep(100);
    write(run, "src/c.js");
    await run.until(startOf("api", 3));
    await sleep(800);
    expect(run.of("job:start", "api").map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(run.of("job:change").map((e) => e.paths)).toEqual([["src/a.js"], ["src/b.js", "src/c.js"]]);
    // Each attempt's start comes after the end of the one before, and found none of its processes alive.
    const api = run
      .of("job:start", "api")
      .concat(run.of("job:exit", "api"))
      .sort((a, b) => a.seq - b.seq);
    expect(api.map((e) => `${e.type} ${e.attempt}`)).toEqual([
      "job:start 1",
      "job:exit 1",
      "job:start 2",
      "job:exit 2",
      "job:start 3",
    ]);
    await run.until((e) => e.type === "job:ready" && e.seq > run.of("job:start", "api")[2]!.seq);
    // (Attempt 2 may be stopped before it says anything: the change came during attempt 1's stop.)
    const checks = run.of("job:output", "api").filter((e) => String(e.line).startsWith("old alive"));
    expect(checks.length).toBeGreaterThanOrEqual(2);
    expect(checks.map((e) => e.line)).toEqual(checks.map(() => "old alive: none"));
  });

  it("cascade: running dependents stop first; all start again in dependency order, each once what it needs is ready", async () => {
    const daemon = (needs: string) => `    command: [node, ${TREE}, --print, listening]
    daemon: true
    ready: { log: listening }
${needs}`;
    const run = live(`version: 1
jobs:
  db:
${daemon("")}
    watch: { paths: [src/**], debounce: 50ms }
  api:
${daemon("    needs: [db]")}
  web:
    command: [echo, built]
    needs: { api: ready }
  solo:
${daemon("    needs: [db]")}
    watch: { paths: [solo/**], debounce: 50ms, cascade: false }
  leaf:
    command: [echo, leaf]
    needs: { solo: ready }
`);
    await run.until((e) => e.type === "job:exit" && e.job === "leaf");
    await run.until((e) => e.type === "job:exit" && e.job === "web");
    write(run, "src/a.js");
    await run.until(startOf("web", 2));
    await run.until(startOf("leaf", 2));
    const seq = (type: string, job: string, from = 0) =>
      run.events.find((e) => e.type === type && e.job === job && e.seq > from)!.seq;
    const change = seq("job:change", "db");
    // Dependents stop before the job they need.
    expect(seq("job:stop", "api", change)).toBeLessThan(seq("job:stop", "db", change));
    expect(seq("job:stop", "solo", change)).toBeLessThan(seq("job:stop", "db", change));
    const dbReady = seq("job:ready", "db", seq("job:start", "db", change));
    expect(seq("job:start", "api", change)).toBeGreaterThan(dbReady);
    const apiReady = seq("job:ready", "api", seq("job:start", "api", change));
    expect(seq("job:start", "web", change)).toBeGreaterThan(apiReady);
    // solo's own watch does not cascade, but db's does, through solo.
    expect(seq("job:start", "leaf", change)).toBeGreaterThan(seq("job:ready", "solo", change));

    // A change of solo (cascade: false) restarts solo only.
    const before = run.events.length;
    write(run, "solo/x.js");
    await run.until(startOf("solo", 3));
    await sleep(500);
    const after = run.events.slice(before).filter((e) => e.type === "job:start");
    expect(after.map((e) => e.job)).toEqual(["solo"]);
  });

  it("one change that concerns a job and its dependent restarts the dependent once, after the job is ready", async () => {
    const run = live(`version: 1
jobs:
  api:
    command: [node, ${TREE}, --print, listening]
    daemon: true
    ready: { log: listening }
    watch: { paths: [src/**], debounce: 50ms }
  client:
    command: [echo, hello]
    needs: [api]
    watch: { paths: [src/**], debounce: 50ms }
`);
    await run.until((e) => e.type === "job:exit" && e.job === "client");
    write(run, "src/a.js");
    const again = await run.until(startOf("client", 2));
    await sleep(500);
    expect(run.of("job:change").map((e) => e.job)).toEqual(["api", "client"]);
    expect(run.of("job:start", "client")).toHaveLength(2);
    expect(run.of("job:start", "api")).toHaveLength(2);
    const ready = run.of("job:ready", "api")[1]!;
    expect(again.seq).toBeGreaterThan(ready.seq);
  });

  it("a job that fails after a change stays failed, its dependents wait for the next change, and the run goes on", async () => {
    const run = live(
      `version: 1
jobs:
  build:
    command: [node, build.mjs]
    watch: { paths: [src/**], debounce: 50ms }
  test:
    command: [echo, tested]
    needs: [build]
`,
      {
        "build.mjs": `import { readFileSync } from "node:fs"; process.exit(readFileSync("src/a.js", "utf8") === "bad" ? 1 : 0);\n`,
      },
    );
    await run.until((e) => e.type === "job:exit" && e.job === "test");
    write(run, "src/a.js", "bad");
    await run.until((e) => e.type === "job:exit" && e.job === "build" && e.attempt === 2);
    await sleep(500);
    expect(run.of("job:exit", "build").map((e) => e.state)).toEqual(["succeeded", "failed"]);
    expect(run.of("job:start", "test")).toHaveLength(1);
    expect(run.of("run:end")).toEqual([]);
    write(run, "src/a.js", "good");
    await run.until(startOf("test", 2));
    expect(run.of("job:exit", "build").map((e) => e.state)).toEqual(["succeeded", "failed", "succeeded"]);
  });

  it("watch with ${{ matrix.K }}: only the matching instances restart", async () => {
    const run = live(`version: 1
jobs:
  svc:
    matrix: { part: [one, two] }
    command: [node, ${TREE}]
    daemon: true
    watch: { paths: ["\${{ matrix.part }}/**"], debounce: 50ms }
`);
    await run.until(startOf("svc[part=two]", 1));
    write(run, "one/x.js");
    await run.until(startOf("svc[part=one]", 2));
    expect(run.of("job:change").map((e) => e.job)).toEqual(["svc[part=one]"]);
    expect(run.of("job:start", "svc[part=two]")).toHaveLength(1);
  });
});

describe("a watch run", () => {
  it("is listed by procflow ps with its mode, and ends on ctl end with exit 0", async () => {
    const state = join(tempDir(), "state");
    mkdirSync(state, { mode: 0o700 });
    chmodSync(state, 0o700);
    const env = { PROCFLOW_STATE_DIR: state };
    const run = startLive(
      `version: 1
jobs:
  api:
    command: [node, ${TREE}]
    daemon: true
    watch: [src/**]
`,
      ["--watch"],
      {},
      env,
    );
    await run.until(startOf("api", 1));
    let listed: { mode: string }[] = [];
    for (let i = 0; i < 100 && listed.length === 0; i++) {
      listed = JSON.parse((await cli(["ps", "--format", "json"], { env })).stdout);
      if (listed.length === 0) await sleep(50);
    }
    expect(listed.map((r) => r.mode)).toEqual(["watch"]);
    expect((await cli(["ctl", "end"], { cwd: run.dir, env })).code).toBe(0);
    expect((await run.done).code).toBe(0);
  });
});

describe("the watch field", () => {
  it("bad globs and patterns that leave the job file's folder are errors at their lines", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1
jobs:
  a:
    command: "true"
    watch: [src/**/*.js, "src/[a.js"]
  b:
    command: "true"
    matrix: { d: [x, y] }
    watch:
      paths: ["\${{ matrix.d }}/**", ../elsewhere/**]
      ignore: ["*.{js"]
      debounce: 100ms
  c:
    command: "true"
    watch: ["\${{ matrix.d }}/**"]
`,
    });
    const r = await cli(["validate", "--format", "json", "jobs.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    const found = (JSON.parse(r.stdout) as { line: number; code: string }[]).map((d) => [d.line, d.code]);
    expect(found).toEqual(
      expect.arrayContaining([
        [5, "watch-glob"],
        [10, "watch-outside"],
        [11, "watch-glob"],
        [15, "expression-unknown"],
      ]),
    );
    expect(found).toHaveLength(4);
    const text = await cli(["validate", "jobs.yaml"], { cwd: dir });
    expect(text.stderr + text.stdout).toContain(`jobs.b.watch.paths[1]: "../elsewhere/**" watches`);
  });

  it("graph --format json carries it, with its defaults; a run without --watch never loads the watcher", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1
jobs:
  a:
    command: "true"
    watch: [src/**]
`,
    });
    const graph = JSON.parse((await cli(["graph", "--format", "json", "jobs.yaml"], { cwd: dir })).stdout);
    expect(graph.jobs[0].watch).toEqual({ paths: ["src/**"], ignore: [], debounceMs: 200, cascade: true });

    // Every module the CLI loads (from its compiled modules: the bundle is one script), recorded by a
    // loader hook; chokidar's holds its FSWatcher.
    const loaded = async (...args: string[]) => {
      const trace = join(dir, `loads-${args.length}`);
      const r = spawnSync(
        process.execPath,
        [
          "--import",
          `${FIXTURES}trace-loads.mjs`,
          `${FIXTURES}module-log/cli.mjs`,
          "run",
          "jobs.yaml",
          "--no-control",
          ...args,
        ],
        { cwd: dir, env: { ...process.env, TRACE_LOADS: trace, CI: "1" }, timeout: 20_000, encoding: "utf8" },
      );
      expect(r.status, r.stderr).toBe(args.includes("--timeout") ? 124 : 0);
      const urls = readFileSync(trace, "utf8")
        .split("\n")
        .filter((u) => u.startsWith("file:"));
      return urls.filter((u) => readFileSync(new URL(u), "utf8").includes("FSWatcher"));
    };
    expect(await loaded()).toEqual([]);
    // The check can see it: with --watch (and --timeout to end the run), the watcher is loaded.
    expect((await loaded("--watch", "--timeout", "1s")).length).toBeGreaterThan(0);
  });
});
