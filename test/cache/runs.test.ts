// Incremental runs through the real CLI (SPEC §13): a chain that is cached on its second run, reruns
// on the right changes, restores what is missing, and obeys --force, --force-job and --no-cache.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, endStates, runJobs, tempDir } from "../rig.js";

const chain = (mode = "prod") => `version: 1
jobs:
  gen:
    shell: true
    command: mkdir -p out && cat src/*.txt > out/gen.txt && echo "gen made $(wc -c < out/gen.txt) bytes" && echo "a warning" >&2
    inputs: [src/**]
    outputs: [out/gen.txt]
  build:
    shell: true
    command: mkdir -p dist/bin && cp out/gen.txt dist/app.txt && printf '#!/bin/sh\\n' > dist/bin/run && chmod 6750 dist/bin/run && ln -sf app.txt dist/link && echo "built for $MODE"
    needs: [gen]
    inputs: [out/gen.txt]
    outputs: [dist/**]
    env: { MODE: ${mode} }
`;

const started = (r: Awaited<ReturnType<typeof runJobs>>) => r.of("job:start").map((e) => e.job);
const entries = (dir: string) => readdirSync(join(dir, ".procflow/cache/entries"));

describe("incremental runs", () => {
  it("caches a chain: no process starts, lines are replayed, exit 0; edits rerun what they reach", async () => {
    const first = await runJobs(chain(), [], { files: { "src/a.txt": "hello\n" } });
    const dir = first.dir;
    expect(first.code).toBe(0);
    expect(started(first)).toEqual(["gen", "build"]);

    const second = await runJobs(chain(), [], { cwd: dir });
    expect(second.code).toBe(0);
    expect(started(second)).toEqual([]);
    expect(endStates(second)).toEqual({ gen: "cached", build: "cached" });
    const cached = second.of("job:cached", "gen")[0]!;
    expect(cached.fromRun).toBe(first.of("run:start")[0]!.runId);
    expect(cached.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // The same lines, each marked as replayed, before the job:cached event.
    expect(second.lines("gen")).toEqual(first.lines("gen"));
    expect(second.lines("gen", "stderr")).toEqual(["a warning"]);
    expect(second.lines("build")).toEqual(["built for prod"]);
    expect(second.of("job:output").every((e) => e.replay === true)).toBe(true);
    expect(second.seqOf("job:output", "build")).toBeLessThan(second.seqOf("job:cached", "build"));
    expect(second.seqOf("job:cached", "gen")).toBeLessThan(second.seqOf("job:cached", "build"));

    // -o lines and the summary show the replayed lines and the cached state.
    const lines = await cli(["run", "jobs.yaml", "-o", "lines"], { cwd: dir });
    expect(lines.code).toBe(0);
    expect(lines.stdout).toMatch(/gen\s+\| gen made 6 bytes/);
    expect(lines.stdout).toMatch(/build\s+\| built for prod/);
    expect(lines.stdout).toMatch(/◆ build\s+cached/);
    expect(lines.stdout).toContain("2 cached");

    // An input changes: both run again (build's input is gen's output, which changed).
    writeFileSync(join(dir, "src/a.txt"), "hello, world\n");
    const edited = await runJobs(chain(), [], { cwd: dir });
    expect(started(edited)).toEqual(["gen", "build"]);

    // An env value of build changes: only build runs.
    const env = await runJobs(chain("dev"), [], { cwd: dir });
    expect(started(env)).toEqual(["build"]);
    expect(env.lines("build")).toEqual(["built for dev"]);
  });

  it("restores missing outputs (same bytes, modes without setuid/setgid, symlinks) without starting the job", async () => {
    const first = await runJobs(chain(), [], { files: { "src/a.txt": "x\n" } });
    const dir = first.dir;
    const before = readFileSync(join(dir, "dist/app.txt"));
    expect(statSync(join(dir, "dist/bin/run")).mode & 0o7777).toBe(0o6750);
    rmSync(join(dir, "dist"), { recursive: true });
    const r = await runJobs(chain(), [], { cwd: dir });
    expect(r.code).toBe(0);
    expect(started(r)).toEqual([]);
    expect(r.of("job:cached", "build")[0]!.restored).toBe(3);
    expect(r.of("job:cached", "gen")[0]!.restored).toBe(0);
    expect(readFileSync(join(dir, "dist/app.txt"))).toEqual(before);
    expect(statSync(join(dir, "dist/bin/run")).mode & 0o7777).toBe(0o750);
    expect(readdirSync(join(dir, "dist")).sort()).toEqual(["app.txt", "bin", "link"]);
    expect(readFileSync(join(dir, "dist/link"), "utf8")).toBe("x\n");
  });

  it("--force-job runs the named job, --force every job (both store); --no-cache neither reads nor writes", async () => {
    const first = await runJobs(chain(), [], { files: { "src/a.txt": "x\n" } });
    const dir = first.dir;
    expect(started(await runJobs(chain(), ["--force-job", "build"], { cwd: dir }))).toEqual(["build"]);
    expect(started(await runJobs(chain(), ["--force"], { cwd: dir }))).toEqual(["gen", "build"]);
    const count = entries(dir).length;
    writeFileSync(join(dir, "src/a.txt"), "new\n");
    expect(started(await runJobs(chain(), ["--no-cache"], { cwd: dir }))).toEqual(["gen", "build"]);
    expect(entries(dir)).toHaveLength(count);
    expect((await runJobs(chain(), ["--force-job", "nope"], { cwd: dir })).code).toBe(2);
  });

  it("leaves procflow's own folders out of a pattern over the whole folder: the next run is cached", async () => {
    const yaml = `version: 1
jobs:
  all:
    command: [sh, -c, "mkdir -p out && date +%N > out/t"]
    inputs: ["**"]
    outputs: [out/**]
`;
    for (const args of [[], ["--cache-dir", "elsewhere/cache"]]) {
      const first = await runJobs(yaml, args, { files: { "src/a.txt": "x\n" } });
      expect(started(first)).toEqual(["all"]);
      for (let i = 0; i < 2; i++)
        expect(endStates(await runJobs(yaml, args, { cwd: first.dir }))).toEqual({ all: "cached" });
    }
  });

  it("counts inputs_env and env, not procflow's other variables nor the run's id", async () => {
    const yaml = `version: 1
jobs:
  t:
    command: echo \${{ run.id }}
    inputs: [in.txt]
    inputs_env: [FLAVOUR]
`;
    const first = await runJobs(yaml, [], { files: { "in.txt": "1" }, env: { FLAVOUR: "a", OTHER: "1" } });
    const dir = first.dir;
    const again = (env: Record<string, string>) => runJobs(yaml, [], { cwd: dir, env });
    expect(started(await again({ FLAVOUR: "a", OTHER: "2" }))).toEqual([]);
    expect(started(await again({ FLAVOUR: "b", OTHER: "2" }))).toEqual(["t"]);
    expect(started(await again({ FLAVOUR: "b", OTHER: "3" }))).toEqual([]);
    expect(started(await runJobs(yaml, ["--env", "X=1"], { cwd: dir, env: { FLAVOUR: "b" } }))).toEqual([
      "t",
    ]);
  });

  it("stores nothing for a failure (allow_failure too); a job needing a non-cacheable job is never cached", async () => {
    const yaml = `version: 1
jobs:
  bad:
    command: sh -c 'echo no; exit 3'
    inputs: [in.txt]
  tolerated:
    command: sh -c 'exit 4'
    inputs: [in.txt]
    allow_failure: true
  plain:
    command: echo plain
  after:
    command: echo after
    needs: [plain]
    inputs: [in.txt]
`;
    const first = await runJobs(yaml, ["--keep-going"], { files: { "in.txt": "1" } });
    expect(first.code).toBe(1);
    expect(endStates(first)).toMatchObject({ after: "succeeded", tolerated: "failed" });
    const second = await runJobs(yaml, ["--keep-going"], { cwd: first.dir });
    expect(started(second).sort()).toEqual(["after", "bad", "plain", "tolerated"]);
    expect(second.of("job:cached")).toEqual([]);
    expect(existsSync(join(first.dir, ".procflow"))).toBe(false);
  });

  it("a need's change invalidates what depends on it; a cached need meets started and ready", async () => {
    const dir = tempDir({ "a.txt": "1", "b.txt": "1" });
    const yaml = `version: 1
jobs:
  up:
    command: echo up
    inputs: [a.txt]
  down:
    command: echo down
    needs: { up: started }
    inputs: [b.txt]
`;
    expect(started(await runJobs(yaml, [], { cwd: dir }))).toEqual(["up", "down"]);
    const cached = await runJobs(yaml, [], { cwd: dir });
    expect(endStates(cached)).toEqual({ up: "cached", down: "cached" });
    writeFileSync(join(dir, "a.txt"), "2");
    expect(started(await runJobs(yaml, [], { cwd: dir }))).toEqual(["up", "down"]);
  });

  it("a need's result counts where a job reads it (argv, env, a target's args), not where it does not", async () => {
    const yaml = `version: 1
jobs:
  gen:
    shell: true
    command: echo "v=$(cat n.txt)" >> "$PROCFLOW_RESULT"
    inputs: [in.txt]
  argv: { command: [echo, "got \${{ needs.gen.result.v }}"], needs: [gen], inputs: [in.txt] }
  env: { shell: true, command: echo "got $V", env: { V: "\${{ needs.gen.result.v }}" }, needs: [gen], inputs: [in.txt] }
  target: { target: ./t.mjs, args: ["\${{ needs.gen.result.v }}"], needs: [gen], inputs: [in.txt] }
  blind: { command: [echo, blind], needs: [gen], inputs: [in.txt] }
`;
    const files = { "in.txt": "1", "n.txt": "1", "t.mjs": "export default (v) => ({ v });\n" };
    const first = await runJobs(yaml, [], { files });
    expect(first.lines("env")).toEqual(["got 1"]);
    expect(endStates(await runJobs(yaml, [], { cwd: first.dir }))).toMatchObject({
      argv: "cached",
      env: "cached",
    });
    // Run again (its inputs unchanged), the producer now returns another value.
    writeFileSync(join(first.dir, "n.txt"), "2");
    const forced = await runJobs(yaml, ["--force-job", "gen"], { cwd: first.dir });
    expect(endStates(forced)).toEqual({
      gen: "succeeded",
      argv: "succeeded",
      env: "succeeded",
      target: "succeeded",
      blind: "cached",
    });
    expect([forced.lines("argv"), forced.lines("env")]).toEqual([["got 2"], ["got 2"]]);
    expect(forced.of("job:exit", "target")[0]!.result).toEqual({ v: "2" });
  });

  it("a job whose env reads a result, and whose argv reads that env, is cached; --dry-run says so", async () => {
    const yaml = `version: 1
jobs:
  prod: { shell: true, command: "echo 'cfg={\\"port\\":8080}' >> \\"$PROCFLOW_RESULT\\"", inputs: [in.txt] }
  cons:
    needs: [prod]
    inputs: [in.txt]
    env: { CFG: "\${{ needs.prod.result.cfg }}" }
    command: [echo, "port \${{ fromJSON(env.CFG).port }}"]
  web:
    ports: [http]
    inputs: [in.txt]
    env: { URL: "http://localhost:\${{ env.PROCFLOW_PORT_HTTP }}" }
    command: [sh, -c, "echo web"]
`;
    const first = await runJobs(yaml, [], { files: { "in.txt": "1" } });
    expect(first.lines("cons")).toEqual(["port 8080"]);
    const second = await runJobs(yaml, [], { cwd: first.dir });
    expect(endStates(second)).toEqual({ prod: "cached", cons: "cached", web: "cached" });
    const plan = await cli(["run", "jobs.yaml", "--dry-run", "-o", "json"], { cwd: first.dir });
    const planned = JSON.parse(plan.stdout).jobs.map((j: { job: string; cache: string }) => [j.job, j.cache]);
    expect(Object.fromEntries(planned)).toEqual({ prod: "cached", cons: "cached", web: "cached" });
  });

  it("a cached target gives back its result; changing its module reruns it", async () => {
    const yaml = `version: 1
jobs:
  t:
    target: ./t.mjs
    inputs: [data.txt]
`;
    const files = { "t.mjs": "export default () => ({ n: 1 });\n", "data.txt": "1" };
    const first = await runJobs(yaml, [], { files });
    expect(first.of("job:exit", "t")[0]!.result).toEqual({ n: 1 });
    const second = await runJobs(yaml, [], { cwd: first.dir });
    expect(second.of("job:cached", "t")[0]!.result).toEqual({ n: 1 });
    writeFileSync(join(first.dir, "t.mjs"), "export default () => ({ n: 2 });\n");
    const third = await runJobs(yaml, [], { cwd: first.dir });
    expect(third.of("job:exit", "t")[0]!.result).toEqual({ n: 2 });
  });
});
