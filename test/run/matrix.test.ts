// Matrix fan-out and ${{ }} expressions (SPEC §5).
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cli, endStates, runJobs, tempDir } from "../rig.js";

describe("matrix", () => {
  it("expands the cartesian product, keys in written order, values as written", async () => {
    const r = await runJobs(`version: 1
jobs:
  t:
    matrix: { os: [linux, mac], n: [1, 2.5] }
    command: [echo, "\${{ matrix.os }}-\${{ matrix.n }}", "\${{ job.name }}"]
  py:
    matrix: { v: [3.10, 1.0, 0x10, 20] }
    command: [sh, -c, 'echo "$1 $PROCFLOW_MATRIX_V \${{ matrix.v == 16 }}"', sh, "\${{ matrix.v }}"]
`);
    expect(r.of("run:start")[0]!.jobs).toEqual([
      "t[os=linux,n=1]",
      "t[os=linux,n=2.5]",
      "t[os=mac,n=1]",
      "t[os=mac,n=2.5]",
      "py[v=3.10]",
      "py[v=1.0]",
      "py[v=0x10]",
      "py[v=20]",
    ]);
    expect(r.lines("t[os=mac,n=2.5]")).toEqual(["mac-2.5 t[os=mac,n=2.5]"]);
    // A number keeps its text (YAML reads 3.10 as 3.1), and still compares as the number it is.
    expect(r.lines("py[v=3.10]")).toEqual(["3.10 3.10 false"]);
    expect(r.lines("py[v=0x10]")).toEqual(["0x10 0x10 true"]);
    expect(r.lines("py[v=20]")).toEqual(["20 20 false"]);
  });

  it("passes numbers in args and env as written, as a matrix's values are", async () => {
    const r = await runJobs(`version: 1
env: { ID: 12345678901234567890, VER: 1.10 }
defaults:
  env: { D: 0x10 }
jobs:
  a: { command: [echo], args: [1.0, 0x10, 010, 12345678901234567890, 7, true] }
  e: { command: [sh, -c, 'echo "$ID $VER $D $J"'], env: { J: 2.50 } }
`);
    expect(r.lines("a")).toEqual(["1.0 0x10 010 12345678901234567890 7 true"]);
    expect(r.lines("e")).toEqual(["12345678901234567890 1.10 0x10 2.50"]);
  });

  it("substitutes in command, args, env values, cwd and probe fields, and sets PROCFLOW_MATRIX_*", async () => {
    const dir = tempDir();
    const { mkdirSync } = await import("node:fs");
    mkdirSync(`${dir}/d1`);
    const r = await runJobs(
      `version: 1
jobs:
  t:
    matrix: { d: [d1] }
    cwd: \${{ matrix.d }}
    env: { WHERE: "in-\${{ matrix.d }}" }
    command: [sh, -c, 'echo "$(basename $PWD) $WHERE $PROCFLOW_MATRIX_D $1"', x]
    args: ["\${{ matrix.d }}"]
    ready: { log: "^\${{ matrix.d }} " }
`,
      [],
      { cwd: dir },
    );
    expect(r.lines("t[d=d1]")).toEqual(["d1 in-d1 d1 d1"]);
    expect(r.of("job:ready", "t[d=d1]")).toHaveLength(1);
  });

  it("keeps substituted values inert: no shell ever sees them", async () => {
    const dir = tempDir();
    const r = await runJobs(
      `version: 1
jobs:
  t:
    matrix: { v: ["$(touch pwned1)", "; touch pwned2", "\`touch pwned3\`"] }
    command: [echo, "\${{ matrix.v }}"]
`,
      [],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(
      r
        .of("job:output")
        .map((e) => e.line)
        .sort(),
    ).toEqual(["$(touch pwned1)", "; touch pwned2", "`touch pwned3`"]);
    expect(readdirSync(dir).filter((f) => f.startsWith("pwned"))).toEqual([]);
  });

  it("a need on a matrix job waits for every instance, and its condition applies to all of them", async () => {
    const r = await runJobs(
      `version: 1
concurrency: 4
jobs:
  w: { matrix: { i: [1, 2, 3] }, command: [sleep, "0.\${{ matrix.i }}"] }
  join: { command: echo joined, needs: [w] }
  bad: { matrix: { i: [0, 1] }, command: [sh, -c, "exit \${{ matrix.i }}"] }
  after-bad: { command: "true", needs: [bad] }
  on-bad: { command: "true", needs: { bad: failure } }
`,
      ["--keep-going"],
    );
    const workers = r.of("job:exit").filter((e) => String(e.job).startsWith("w["));
    expect(workers).toHaveLength(3); // else the max below is -Infinity, and any start comes after it
    expect(r.seqOf("job:start", "join")).toBeGreaterThan(Math.max(...workers.map((e) => e.seq)));
    expect(endStates(r)).toMatchObject({ join: "succeeded", "after-bad": "skipped", "on-bad": "succeeded" });
    expect(r.of("job:skip", "after-bad")[0]!.reason).toBe("needs bad: success, but bad[i=1] failed");
  });

  it("runs one instance by name", async () => {
    const r = await runJobs(
      `version: 1
jobs:
  t: { matrix: { i: [1, 2, 3] }, command: [echo, "\${{ matrix.i }}"] }
`,
      ["t[i=2]"],
    );
    expect(r.of("job:start").map((e) => e.job)).toEqual(["t[i=2]"]);
  });

  it("groups instances in the graph and lists each in the dry run", async () => {
    const dir = tempDir({
      "m.yaml": `version: 1\njobs:\n  t: { matrix: { i: [1, 2] }, command: [echo, "\${{ matrix.i }}"] }\n  j: { command: "true", needs: [t] }\n`,
    });
    const graph = await cli(["graph", "m.yaml"], { cwd: dir });
    expect(graph.stdout).toContain('j0["t ×2"]');
    const plan = JSON.parse((await cli(["run", "m.yaml", "--dry-run", "-o", "json"], { cwd: dir })).stdout);
    expect(plan.jobs.map((j: { argv: string[] }) => j.argv)).toEqual([
      ["echo", "1"],
      ["echo", "2"],
      ["true"],
    ]);
  });

  it("accepts 10,000 instances in a job and rejects more", async () => {
    const values = (n: number) => `[${Array.from({ length: n }, (_, i) => i).join(",")}]`;
    const dir = tempDir({
      "ok.yaml": `version: 1\njobs:\n  t: { matrix: { a: ${values(100)}, b: ${values(100)} }, command: "true" }\n`,
      "big.yaml": `version: 1\njobs:\n  t: { matrix: { a: ${values(100)}, b: ${values(101)} }, command: "true" }\n`,
    });
    expect((await cli(["validate", "ok.yaml"], { cwd: dir })).code).toBe(0);
    const big = await cli(["validate", "big.yaml"], { cwd: dir });
    expect(big.code).toBe(2);
    expect(big.stderr).toContain("100 × 101 = 10,100 instances, more than 10,000");
  });
});
