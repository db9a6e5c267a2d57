// Results between jobs (SPEC §14): PROCFLOW_RESULT files, results in events and reports,
// expressions in argv/env/if evaluated from them, and matrices built at run time. Real processes.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, endStates, runJobs, tempDir } from "../rig.js";

const run = (jobs: string, args: string[] = [], files: Record<string, string> = {}) =>
  runJobs(`version: 1\njobs:\n${jobs}`, args, { files });

/** A job that writes `lines` to its result file (through a shell, so the test reads as the user would). */
const writes = (lines: string) => `shell: true
    command: |
      cat >> "$PROCFLOW_RESULT" <<'PROCFLOW_TEST'
${lines
  .split("\n")
  .map((l) => `      ${l}`)
  .join("\n")}
      PROCFLOW_TEST`;

describe("PROCFLOW_RESULT", () => {
  it("parses key=value and key<<DELIM lines into the result; null when nothing is written", async () => {
    const r = await run(`  plan:
    ${writes("version=1.2.3\nempty=\nnotes<<EOF\nline one\n\n  line = three\nEOF\nversion=1.2.4")}
  quiet: { command: "true" }
  check:
    shell: true
    command: 'test -f "$PROCFLOW_RESULT" && test ! -s "$PROCFLOW_RESULT" && test "$PROCFLOW_RESULT" != "$0"'
`);
    expect(r.code).toBe(0);
    expect(r.of("job:exit", "plan")[0]!.result).toEqual({
      version: "1.2.4",
      empty: "",
      notes: "line one\n\n  line = three",
    });
    expect(r.of("job:exit", "quiet")[0]!.result).toBeNull();
    expect(r.of("job:exit", "check")[0]!.state).toBe("succeeded");
  });

  it("gives each attempt a fresh empty file and removes it afterwards", async () => {
    const r = await run(`  flaky:
    shell: true
    command: 'echo "$PROCFLOW_RESULT" >> paths; test -s "$PROCFLOW_RESULT" && exit 3; echo "attempt=$PROCFLOW_ATTEMPT" >> "$PROCFLOW_RESULT"; test "$PROCFLOW_ATTEMPT" = 2'
    restart: on-failure
    restart_delay: 10ms
`);
    expect(r.of("job:exit", "flaky").map((e) => [e.state, e.result])).toEqual([
      ["failed", { attempt: "1" }],
      ["succeeded", { attempt: "2" }],
    ]);
    const paths = readFileSync(join(r.dir, "paths"), "utf8").trim().split("\n");
    expect(new Set(paths).size).toBe(2);
    for (const p of paths) expect(existsSync(p)).toBe(false);
  });

  it("fails a job whose result file is malformed, or over the 16 MiB limit; 10 MB is fine", async () => {
    const r = await run(
      `  bad:
    ${writes("just words")}
  open:
    ${writes("text<<END\nnever closed")}
  big:
    shell: true
    command: 'printf "blob=" >> "$PROCFLOW_RESULT"; head -c 10000000 /dev/zero | tr "\\\\0" x >> "$PROCFLOW_RESULT"'
  huge:
    shell: true
    command: 'head -c 17000000 /dev/zero >> "$PROCFLOW_RESULT"'
`,
      ["--keep-going"],
    );
    expect(r.of("job:exit", "bad")[0]).toMatchObject({
      state: "failed",
      exitCode: 0,
      error: 'PROCFLOW_RESULT line 1: "just words" is neither key=value nor key<<DELIMITER',
    });
    expect(r.of("job:exit", "open")[0]!.error).toBe(
      "PROCFLOW_RESULT line 1: text<<END is not closed by a line END",
    );
    expect((r.of("job:exit", "big")[0]!.result as { blob: string }).blob.length).toBe(10_000_000);
    expect(r.of("job:exit", "huge")[0]!.error).toMatch(/holds 16\.2 MiB, more than the limit of 16 MiB/);
  });

  it("shows results in the summary, run.json and the JUnit report", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "jobs.yaml"),
      `version: 1\njobs:\n  plan:\n    ${writes("version=1.2.3\nshards=[1,2]")}\n  quiet: { command: "true" }\n`,
    );
    const r = await cli(["run", "jobs.yaml", "-o", "lines", "--log-dir", "logs", "--junit", "junit.xml"], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✔ plan .* → \{"version":"1\.2\.3","shards":"\[1,2\]"\}/);
    // A job that wrote nothing has a null result, which no line shows.
    expect(r.stdout).toMatch(/✔ quiet /);
    expect(r.stdout).not.toContain("→ null");
    const runJson = JSON.parse(readFileSync(join(dir, "logs/run.json"), "utf8"));
    const exit = runJson.events.find((e: { type: string }) => e.type === "job:exit");
    expect(exit.result).toEqual({ version: "1.2.3", shards: "[1,2]" });
    const xml = readFileSync(join(dir, "junit.xml"), "utf8");
    expect(xml).toContain('<property name="result.version" value="1.2.3"/>');
    expect(xml).toContain('<property name="result.shards" value="[1,2]"/>');
  });
});

describe("expressions read results", () => {
  it("substitutes a target's result and a command's result as one argv element each, never through a shell", async () => {
    const dir = tempDir({
      "t.mjs": `export const version = () => ({ version: "1.2.3", n: 7, list: ["a", "b"] });\n`,
    });
    const r = await runJobs(
      `version: 1
jobs:
  t: { target: "./t.mjs#version" }
  evil:
    command: [node, -e, "fs.appendFileSync(process.env.PROCFLOW_RESULT, 'payload=$(touch pwned); echo \\x60touch pwned2\\x60 $' + '{{ env.HOME }}')"]
  use:
    needs: [t, evil]
    command: [node, -e, "console.log(JSON.stringify(process.argv.slice(1)))"]
    args: ["\${{ needs.t.result.version }}", "\${{ needs.t.result.n }}", "\${{ needs.t.result.list }}", "\${{ needs.evil.result.payload }}", "v=\${{ needs.t.result.version }}!", "\${{ needs.t.state }} \${{ needs.t.ok }}"]
`,
      [],
      { cwd: dir },
    );
    expect(r.of("job:exit", "use")[0]?.error).toBeUndefined();
    const argv = JSON.parse(r.lines("use")[0]!);
    expect(argv).toEqual([
      "1.2.3",
      "7",
      '[\n  "a",\n  "b"\n]',
      "$(touch pwned); echo `touch pwned2` ${{ env.HOME }}",
      "v=1.2.3!",
      "succeeded true",
    ]);
    expect(existsSync(join(dir, "pwned"))).toBe(false);
    expect(existsSync(join(dir, "pwned2"))).toBe(false);
  });
});

describe("a missing result key fails the job that reads it", () => {
  it("fails it without starting, naming the expression; a typo never passes as empty", async () => {
    const r = await run(`  plan:
    ${writes("coverage=85")}
  use:
    needs: [plan]
    command: [echo, "\${{ needs.plan.result.coverage }}", "\${{ needs.plan.result.coverag }}"]
  env:
    needs: [plan]
    command: [echo, ok]
    env: { COV: "\${{ needs.plan.result.covrage }}" }
`);
    expect(r.code).toBe(1);
    expect(r.of("job:start", "use")).toEqual([]);
    expect(r.of("job:exit", "use")[0]).toMatchObject({
      state: "failed",
      pid: null,
      error: "${{ needs.plan.result.coverag }}: needs.plan.result has no key coverag (it has coverage)",
    });
    expect(r.of("job:exit", "env")[0]!.error).toBe(
      "env COV: ${{ needs.plan.result.covrage }}: needs.plan.result has no key covrage (it has coverage)",
    );
  });
});

describe("if", () => {
  it("runs or skips by the expression when the needs are met; a false if never fails the run", async () => {
    const r = await run(`  test:
    ${writes("coverage=85")}
  publish:
    needs: [test]
    if: needs.test.result.coverage >= 80
    command: [echo, publish]
  strict:
    needs: [test]
    if: "\${{ needs.test.result.coverage >= 90 }}"
    command: [echo, never]
  after:
    needs: [strict]
    command: [echo, never]
  cleanup:
    needs: { strict: always }
    command: [echo, cleanup]
  env:
    if: env.HOME != '' && !contains(env.HOME, 'no-such-home')
    env: { WHO: "\${{ needs.test.state }}" }
    needs: [test]
    command: [sh, -c, 'echo "$WHO"']
`);
    expect(r.code).toBe(0);
    expect(endStates(r)).toEqual({
      test: "succeeded",
      publish: "succeeded",
      strict: "skipped",
      after: "skipped",
      cleanup: "succeeded",
      env: "succeeded",
    });
    expect(r.of("job:skip", "strict")[0]).toMatchObject({
      cause: "if",
      expression: "needs.test.result.coverage >= 90",
      reason: "if: needs.test.result.coverage >= 90 is false",
    });
    expect(r.of("job:skip", "after")[0]).toMatchObject({ cause: "need", need: "strict" });
    expect(r.lines("env")).toEqual(["succeeded"]);
    expect(r.of("run:end")[0]!.state).toBe("succeeded");
  });

  it("needs.<job>.state is the end state run:end gives: failed under allow_failure, though ok", async () => {
    const r = await run(`  f: { command: [sh, -c, "exit 1"], allow_failure: true }
  t:
    needs: { f: always }
    if: needs.f.state == 'failed'
    command: [echo, "state=\${{ needs.f.state }} ok=\${{ needs.f.ok }}"]
  m:
    matrix: { k: [a, b] }
    command: [sh, -c, 'test "$PROCFLOW_MATRIX_K" = a', sh]
    allow_failure: true
  fan:
    needs: { m: always }
    command: [echo, "\${{ needs.m.state }} \${{ needs.m.ok }}"]
`);
    expect(r.code).toBe(0);
    expect(r.of("run:end")[0]!.jobs).toMatchObject({ f: "failed", "m[k=b]": "failed" });
    expect(r.lines("t")).toEqual(["state=failed ok=true"]);
    expect(r.lines("fan")).toEqual(["failed true"]);
  });

  it("an if that cannot be evaluated fails the job with the expression, and the run", async () => {
    const r = await run(`  test: { command: "true" }
  broken:
    needs: [test]
    if: fromJSON('{oops') == 1
    command: [echo, never]
`);
    expect(r.code).toBe(1);
    expect(r.of("job:start", "broken")).toEqual([]);
    expect(r.of("job:exit", "broken")[0]!.error).toMatch(
      /^if: fromJSON\('\{oops'\) == 1: fromJSON: not JSON/,
    );
  });
});

describe("dynamic matrix", () => {
  it("fans out when the needed job ends; a need on it waits for every instance", async () => {
    const r = await run(`  plan:
    ${writes('shards=["a","b","c"]')}
  work:
    needs: [plan]
    matrix: { shard: "\${{ fromJSON(needs.plan.result.shards) }}", n: [1.0] } # 1.0 as written, in a matrix built at run time too
    command: [sh, -c, 'sleep 0.2; echo "got=$PROCFLOW_MATRIX_SHARD $1" >> "$PROCFLOW_RESULT"', sh, "part=\${{ matrix.shard }}"]
  sum:
    needs: [work]
    command: [node, -e, "console.log(process.argv[1])", "\${{ toJSON(needs.work.results) }}"]
`);
    expect(r.code).toBe(0);
    const work = ["work[shard=a,n=1.0]", "work[shard=b,n=1.0]", "work[shard=c,n=1.0]"];
    expect(r.of("run:start")[0]!.jobs).toEqual(["plan", "work[shard=…,n=…]", "sum"]);
    expect(r.of("job:matrix")).toEqual([
      expect.objectContaining({ job: "work", placeholder: "work[shard=…,n=…]", instances: work }),
    ]);
    expect(Object.keys(endStates(r)).sort()).toEqual(["plan", "sum", ...work].sort());
    expect(Object.values(endStates(r))).toEqual(Array(5).fill("succeeded"));
    const sumStart = r.seqOf("job:start", "sum");
    for (const w of work) expect(r.seqOf("job:exit", w)).toBeLessThan(sumStart);
    expect(r.of("job:start", "work[shard=b,n=1.0]")[0]!.argv).toEqual([
      "sh",
      "-c",
      'sleep 0.2; echo "got=$PROCFLOW_MATRIX_SHARD $1" >> "$PROCFLOW_RESULT"',
      "sh",
      "part=b",
    ]);
    expect(JSON.parse(r.lines("sum").join("\n"))).toEqual({
      "work[shard=a,n=1.0]": { got: "a part=a" },
      "work[shard=b,n=1.0]": { got: "b part=b" },
      "work[shard=c,n=1.0]": { got: "c part=c" },
    });
  });

  it("an empty list ends the job succeeded with no instance; a bad value fails it under its bare name", async () => {
    const r = await run(
      `  plan:
    ${writes('none=[]\nbad={"a":1}\nmap={"os":["linux","mac"],"n":[1,2]}\ntwice=["a",1,"1"]\nalike={"a":["x,b=y","x"],"b":["z","y,b=z"]}')}
  empty:
    needs: [plan]
    matrix: { x: "\${{ fromJSON(needs.plan.result.none) }}" }
    command: [echo, never]
  after:
    needs: [empty]
    command: [echo, after]
  bad:
    needs: [plan]
    matrix: { x: "\${{ fromJSON(needs.plan.result.bad) }}" }
    command: [echo, never]
  twice:
    needs: [plan]
    matrix: { x: "\${{ fromJSON(needs.plan.result.twice) }}" }
    command: [echo, never]
  alike:
    needs: [plan]
    matrix: "\${{ fromJSON(needs.plan.result.alike) }}"
    command: [echo, never]
  whole:
    needs: [plan]
    matrix: "\${{ fromJSON(needs.plan.result.map) }}"
    command: [echo, "\${{ matrix.os }}-\${{ matrix.n }}"]
`,
      ["--keep-going"],
    );
    expect(r.code).toBe(1);
    expect(r.of("job:matrix").map((e) => [e.placeholder, e.instances])).toEqual(
      expect.arrayContaining([
        ["empty[x=…]", []],
        ["bad[x=…]", []],
        [
          "whole[…]",
          ["whole[os=linux,n=1]", "whole[os=linux,n=2]", "whole[os=mac,n=1]", "whole[os=mac,n=2]"],
        ],
      ]),
    );
    expect(endStates(r)).toMatchObject({
      empty: "succeeded",
      after: "succeeded",
      bad: "failed",
      twice: "failed",
      alike: "failed",
    });
    expect(r.of("job:exit", "alike")[0]!.error).toBe(
      'matrix: two instances would both be named alike[a=x,b=y,b=z] (a value holds "," and "=")',
    );
    // Two instances may not share a name (1 and "1" would): the job fails, nothing starts.
    expect(r.of("job:exit", "twice")[0]!.error).toMatch(/^matrix: x lists 1 twice/);
    expect(r.of("job:start", "twice[x=1]")).toEqual([]);
    expect(r.of("job:exit", "bad")[0]!.error).toBe(
      'matrix: ${{ fromJSON(needs.plan.result.bad) }} gave {"a":1}, not a list of strings, numbers or booleans',
    );
    expect(r.lines("whole[os=mac,n=2]")).toEqual(["mac-2"]);
  });

  it("graph and --dry-run show the placeholder node", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1
jobs:
  plan: { command: "true" }
  work:
    needs: [plan]
    matrix: { shard: "\${{ fromJSON(needs.plan.result.shards) }}" }
    command: [echo, "\${{ matrix.shard }}", "\${{ needs.plan.result.x }}"]
  late:
    needs: [plan]
    if: needs.plan.ok
    command: [echo, late]
`,
    });
    const plan = await cli(["run", "jobs.yaml", "--dry-run", "-o", "json"], { cwd: dir });
    expect(JSON.parse(plan.stdout).jobs[1]).toMatchObject({
      job: "work[shard=…]",
      argv: ["echo", "…", "${{ needs.plan.result.x }}"],
    });
    expect(JSON.parse(plan.stdout).jobs[2]).toMatchObject({ job: "late", if: "needs.plan.ok" });
    const text = await cli(["run", "jobs.yaml", "--dry-run"], { cwd: dir });
    expect(text.stdout).toContain("     if needs.plan.ok\n");
    const graph = await cli(["graph", "jobs.yaml"], { cwd: dir });
    expect(graph.stdout).toContain("work[shard=…]");
  });
});
