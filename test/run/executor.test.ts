// The executor through the real CLI: join order, concurrency, policies, daemons, timeouts, env, argv, exit codes.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { cli, endStates, FIXTURES, runJobs, tempDir, withEvents } from "../rig.js";

describe("join dependencies and concurrency", () => {
  it("starts each job after the end of what it needs, each once, never above the concurrency bound", async () => {
    const dag = fc
      .integer({ min: 2, max: 12 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: n, maxLength: n }),
          fc.integer({ min: 1, max: 3 }),
        ),
      );
    await fc.assert(
      fc.asyncProperty(dag, async ([edges, concurrency]) => {
        const jobs: Record<string, unknown> = {};
        edges.forEach((needs, i) => {
          jobs[`j${i}`] = {
            command: "true",
            needs: i === 0 ? [] : [...new Set(needs.map((e) => `j${e % i}`))],
          };
        });
        const r = await runJobs(stringify({ version: 1, concurrency, jobs }));
        expect(r.code).toBe(0);
        for (const [name, job] of Object.entries(jobs) as [string, { needs: string[] }][]) {
          expect(r.of("job:start", name)).toHaveLength(1);
          for (const need of job.needs)
            expect(r.seqOf("job:exit", need)).toBeLessThan(r.seqOf("job:start", name));
        }
        let running = 0;
        for (const e of r.events) {
          if (e.type === "job:start") running++;
          if (e.type === "job:exit") running--;
          expect(running).toBeLessThanOrEqual(concurrency);
        }
        const seqs = r.events.map((e) => e.seq);
        expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      }),
      { numRuns: 12 },
    );
  });

  it("gives a free slot to the job with the longest chain of work behind it", async () => {
    const r = await runJobs(
      `version: 1
concurrency: 1
jobs:
  short: { command: "true" }
  long1: { command: "true" }
  long2: { command: "true", needs: [long1] }
  long3: { command: "true", needs: [long2] }
`,
    );
    // long1 and long2 have more work behind them than short; long3 and short tie, and plan order decides.
    expect(r.of("job:start").map((e) => e.job)).toEqual(["long1", "long2", "short", "long3"]);
  });

  it("runs only the named jobs and what they need", async () => {
    const r = await runJobs(
      `version: 1
jobs:
  a: { command: "true" }
  b: { command: "true", needs: [a] }
  c: { command: "true" }
`,
      ["b"],
    );
    expect(r.of("job:start").map((e) => e.job)).toEqual(["a", "b"]);
    expect(Object.keys(endStates(r))).toEqual(["a", "b"]);
  });

  it("rejects an unknown job name with a suggestion", async () => {
    const dir = tempDir({ "x.yaml": "version: 1\njobs:\n  build: { command: 'true' }\n" });
    const r = await cli(["run", "x.yaml", "biuld"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no job named "biuld" in x.yaml (did you mean "build"?)');
  });
});

describe("failure policies", () => {
  const file = `version: 1
concurrency: 4
jobs:
  bad: { command: [sh, -c, "sleep 0.3; exit 3"] }
  slow: { command: [sleep, "1.5"] }
  after: { command: "true", needs: [bad] }
  later: { command: "true", needs: [slow] }
  cleanup: { command: echo cleanup, needs: { bad: failure } }
  notify: { command: echo notify, needs: [cleanup] }
  always: { command: echo always, needs: { slow: always } }
`;

  it("finish (default): running jobs finish, nothing new starts but handlers and their chains, exit 1", async () => {
    const r = await runJobs(file);
    expect(r.code).toBe(1);
    expect(endStates(r)).toEqual({
      bad: "failed",
      slow: "succeeded",
      after: "skipped",
      later: "skipped",
      cleanup: "succeeded",
      notify: "succeeded",
      always: "succeeded",
    });
    expect(r.of("job:skip", "after")[0]!.reason).toBe("needs bad: success, but bad failed");
    expect(r.of("job:skip", "later")[0]!.reason).toBe("not started: bad failed");
  });

  it("--keep-going runs everything that does not depend on the failure", async () => {
    const r = await runJobs(file, ["--keep-going"]);
    expect(r.code).toBe(1);
    expect(endStates(r)).toMatchObject({
      bad: "failed",
      slow: "succeeded",
      after: "skipped",
      later: "succeeded",
    });
  });

  it("--fail-fast stops running jobs at once; handlers still run", async () => {
    const r = await runJobs(file, ["--fail-fast"]);
    expect(r.code).toBe(1);
    expect(endStates(r)).toMatchObject({
      bad: "failed",
      slow: "stopped",
      cleanup: "succeeded",
      after: "skipped",
      later: "skipped",
    });
    expect(r.of("job:stop", "slow")[0]).toMatchObject({ signal: "SIGTERM", reason: "fail-fast" });
    expect(r.lines("always")).toEqual(["always"]);
  });

  it("a handler skipped because its need succeeded does not fail the run", async () => {
    const r = await runJobs(`version: 1
jobs:
  build: { command: "true" }
  on-fail: { command: echo failed, needs: { build: failure } }
`);
    expect(r.code).toBe(0);
    expect(r.of("job:skip", "on-fail")[0]!.reason).toBe("needs build: failure, but build succeeded");
  });

  it("honours allow_failure and success_codes", async () => {
    const r = await runJobs(`version: 1
jobs:
  flaky: { command: [sh, -c, "exit 1"], allow_failure: true }
  two: { command: [sh, -c, "exit 2"], success_codes: [0, 2] }
  next: { command: "true", needs: [flaky, two] }
`);
    expect(r.code).toBe(0);
    expect(endStates(r)).toEqual({ flaky: "failed", two: "succeeded", next: "succeeded" });
  });
});

describe("daemons", () => {
  it("stops daemons when the work is done, those that others need last; stopped is not a failure", async () => {
    const r = await runJobs(`version: 1
jobs:
  db: { command: [sleep, "60"], daemon: true }
  api: { command: [sleep, "60"], daemon: true, needs: [db] }
  work: { command: [sleep, "0.2"], needs: [api] }
`);
    expect(r.code).toBe(0);
    expect(endStates(r)).toEqual({ db: "stopped", api: "stopped", work: "succeeded" });
    expect(r.seqOf("job:exit", "work")).toBeLessThan(r.seqOf("job:stop", "api"));
    expect(r.seqOf("job:exit", "api")).toBeLessThan(r.seqOf("job:stop", "db"));
    expect(r.of("job:stop", "db")[0]).toMatchObject({ signal: "SIGTERM", reason: "daemon-done" });
  });

  it("a daemon stopped by the run's time limit or by fail-fast is stopped for that reason", async () => {
    const yaml = `version: 1
jobs:
  d: { command: [sleep, "60"], daemon: true }
  w: { command: [sleep, "60"], needs: [d] }
  bad: { command: [sh, -c, "sleep 0.3; exit 1"], needs: [d] }
`;
    const reasons = (r: Awaited<ReturnType<typeof runJobs>>) =>
      ["w", "d"].map((job) => r.of("job:stop", job)[0]?.reason);
    const timedOut = await runJobs(yaml.replace(/exit 1/, "sleep 60"), ["--timeout", "500ms"]);
    expect(timedOut.code).toBe(124);
    expect(reasons(timedOut)).toEqual(["run-timeout", "run-timeout"]);
    const failFast = await runJobs(yaml, ["--fail-fast"]);
    expect(failFast.code).toBe(1);
    expect(reasons(failFast)).toEqual(["fail-fast", "fail-fast"]);
  });

  it("a file with only daemons runs until interrupted", async () => {
    const dir = tempDir({
      "jobs.yaml": "version: 1\njobs:\n  svc: { command: [sleep, '60'], daemon: true }\n",
    });
    let sent = false;
    const r = withEvents(
      await cli(["run", "jobs.yaml", "-o", "json"], {
        cwd: dir,
        onStdout: (text, child) => {
          if (!sent && text.includes('"job:start"')) {
            sent = true;
            // Still running a moment later: nothing ends a file of daemons but an interrupt.
            setTimeout(() => child.kill("SIGINT"), 500);
          }
        },
      }),
      dir,
    );
    expect(r.code).toBe(130);
    expect(endStates(r)).toEqual({ svc: "stopped" });
    expect(r.of("job:stop", "svc")[0]).toMatchObject({ reason: "interrupt" });
  });

  it("a daemon that exits on its own before the work is done has failed", async () => {
    const r = await runJobs(`version: 1
jobs:
  svc: { command: [sh, -c, "sleep 0.2; exit 0"], daemon: true }
  work: { command: [sleep, "2"], needs: { svc: started } }
`);
    expect(r.code).toBe(1);
    expect(r.of("job:exit", "svc")[0]).toMatchObject({
      state: "failed",
      error: "daemon exited before the work was done (exit code 0)",
    });
  });
});

describe("timeouts and stopping", () => {
  it("a job over its timeout is stopped and timed out; a stubborn one gets SIGKILL after kill_timeout", async () => {
    const r = await runJobs(`version: 1
jobs:
  slow: { command: [sleep, "30"], timeout: 300ms }
  stubborn: { command: [sh, -c, "trap '' TERM; sleep 30"], timeout: 300ms, kill_timeout: 300ms }
`);
    expect(r.code).toBe(1);
    expect(endStates(r)).toEqual({ slow: "timed_out", stubborn: "timed_out" });
    expect(r.of("job:stop", "stubborn").map((e) => e.signal)).toEqual(["SIGTERM", "SIGKILL"]);
    expect(r.of("job:exit", "slow")[0]!.error).toBe("timed out after 300ms");
  });

  it("--timeout limits the whole run: exit 124", async () => {
    const r = await runJobs(`version: 1\njobs:\n  a: { command: [sleep, "30"] }\n`, ["--timeout", "500ms"]);
    expect(r.code).toBe(124);
    expect(r.of("job:stop", "a")[0]).toMatchObject({ reason: "run-timeout" });
  });
});

describe("children", () => {
  it("substitutes ${{ env.* }} and ${{ run.id }} in env values and cwd when the job starts", async () => {
    const r = await runJobs(
      `version: 1
env: { SUB: sub }
jobs:
  a:
    command: [node, -e, "console.log(process.env.WHERE, process.env.ID, process.cwd())"]
    env: { WHERE: "in-\${{ env.SUB }}", ID: "\${{ run.id }}" }
    cwd: "\${{ env.SUB }}"
`,
      [],
      { files: { "sub/.keep": "" } },
    );
    expect(r.code).toBe(0);
    const [where, id, cwd] = r.lines("a")[0]!.split(" ");
    expect([where, id]).toEqual(["in-sub", r.of("run:start")[0]!.runId]);
    expect(cwd).toBe(join(r.dir, "sub"));
  });

  it("splits a string command like a shell without running one, and keeps args whole", async () => {
    const r = await runJobs(`version: 1
jobs:
  a:
    command: node -e 'console.log(JSON.stringify(process.argv.slice(1)))' "it's" two\\ words id=\${{ run.id }}!
    args: ["x y", 3, true, "$HOME", "; rm -rf /"]
`);
    expect(JSON.parse(r.lines("a")[0]!)).toEqual([
      "it's",
      "two words",
      `id=${r.of("run:start")[0]!.runId}!`,
      "x y",
      "3",
      "true",
      "$HOME",
      "; rm -rf /",
    ]);
  });

  it("runs through a shell only with shell: true, args as $1…", async () => {
    const r = await runJobs(`version: 1
jobs:
  a: { command: 'echo "$1-$2" && echo second', shell: true, args: [one, two] }
`);
    expect(r.lines("a")).toEqual(["one-two", "second"]);
  });

  it("applies the environment precedence and sets PROCFLOW_* variables", async () => {
    const r = await runJobs(
      `version: 1
env_file: file.env
env: { A: file, B: file, C: file, D: file }
defaults:
  env: { B: defaults, C: defaults, D: defaults }
jobs:
  show:
    env_file: [job.env]
    env: { C: job, D: job }
    command: [sh, -c, 'echo "$A $B $C $D $E $F $PROCFLOW_JOB $PROCFLOW_ATTEMPT $PROCFLOW_FILE $PROCFLOW_RUN_ID"']
`,
      ["--env", "D=cli"],
      {
        files: { "file.env": "A=dotenv\nE=dotenv\n", "job.env": "F=jobfile\nC=jobfile\n" },
        env: { A: "procflow", E: "procflow" },
      },
    );
    const [a, b, c, d, e, f, job, attempt, file, runId] = r.lines("show")[0]!.split(" ");
    expect([a, b, c, d, e, f, job, attempt]).toEqual([
      "file",
      "defaults",
      "job",
      "cli",
      "dotenv",
      "jobfile",
      "show",
      "1",
    ]);
    expect(file).toBe(`${r.dir}/jobs.yaml`);
    expect(runId).toBe(r.of("run:start")[0]!.runId);
  });

  it("gives each job and attempt its own environment, however many share a start", async () => {
    const show = `command: [sh, -c, 'echo "\${X-none} $PROCFLOW_JOB $PROCFLOW_ATTEMPT"; exit $((PROCFLOW_ATTEMPT < \${RETRY-0}))']`;
    const r = await runJobs(`version: 1
defaults: { restart: on-failure, restart_delay: 10ms }
jobs:
  p1: { ${show} }
  x1: { env: { X: "x-\${{ job.name }}", RETRY: "2" }, ${show} }
  x2: { env: { X: "also-\${{ job.name }}" }, ${show}, needs: [x1, p1] }
  p2: { ${show}, needs: [x2] }
`);
    expect(r.lines("p1")).toEqual(["none p1 1"]);
    expect(r.lines("x1")).toEqual(["x-x1 x1 1", "x-x1 x1 2"]);
    expect(r.lines("x2")).toEqual(["also-x2 x2 1"]);
    expect(r.lines("p2")).toEqual(["none p2 1"]);
  });

  it("expands env values against procflow's own environment, before the PROCFLOW_* variables are set", async () => {
    const r = await runJobs(
      `version: 1
jobs:
  a: { env: { WAS: "\${{ env.PROCFLOW_JOB }}-\${{ env.FORCE_COLOR }}" }, command: [sh, -c, 'echo "$WAS $PROCFLOW_JOB"'] }
`,
      [],
      { env: { PROCFLOW_JOB: "outer", FORCE_COLOR: "0" } },
    );
    expect(r.lines("a")).toEqual(["outer-0 a"]);
  });

  it("runs in the job file's folder by default, or cwd relative to it; the parent pid is procflow's", async () => {
    const dir = tempDir();
    const r = await runJobs(
      `version: 1
jobs:
  here: { command: [sh, -c, 'pwd; echo $PPID'] }
  sub: { command: pwd, cwd: sub }
`,
      [],
      { cwd: dir },
    );
    expect(r.code).toBe(1); // sub does not exist
    expect(r.lines("here")).toEqual([dir, String(r.of("run:start")[0]!.pid)]);
    // Without --ui, run:start says there is no web view (as the run's record does).
    expect(r.of("run:start")[0]!.ui).toBeNull();
    expect(r.of("job:exit", "sub")[0]!.error).toBe(`working directory not found: ${dir}/sub`);
    expect(r.of("job:exit", "sub")[0]!.result).toBeNull();
  });

  it("fails a missing program with a one-line reason and no stack trace", async () => {
    const r = await runJobs(`version: 1\njobs:\n  a: { command: no-such-program-here }\n`, [], {});
    expect(r.code).toBe(1);
    expect(r.of("job:exit", "a")[0]).toMatchObject({
      state: "failed",
      pid: null,
      error: "command not found: no-such-program-here",
    });
    const lines = await cli(["run", "jobs.yaml", "-o", "lines"], { cwd: r.dir });
    expect(lines.stdout).toContain("command not found: no-such-program-here");
    expect(lines.stderr).toBe("");
  });

  it("fails a job whose argv Node refuses (a NUL byte) without stopping the others", async () => {
    const r = await runJobs(
      `version: 1\njobs:\n  a: { command: [echo, "a\\0b"] }\n  b: { command: echo fine }\n`,
    );
    expect(r.code).toBe(1);
    expect(r.of("job:exit", "a")[0]).toMatchObject({ state: "failed", pid: null });
    expect(r.of("job:exit", "a")[0]!.error).toMatch(/^cannot start echo: .*null bytes/);
    expect(r.lines("b")).toEqual(["fine"]);
  });

  it("ends a job when its process exits even if a background child holds its output open", async () => {
    const r = await runJobs(`version: 1
jobs:
  a: { command: [sh, -c, "(sleep 1; echo late) & echo early; exit 0"] }
  b: { command: [sleep, "1.5"], needs: [a] }
`);
    expect(r.code).toBe(0);
    const exit = r.of("job:exit", "a")[0]!;
    expect(exit.durationMs as number).toBeLessThan(900);
    expect(r.seqOf("job:start", "b")).toBeLessThan(r.events.findIndex((e) => e.line === "late") + 1);
    expect(r.lines("a")).toEqual(["early", "late"]);
  });

  it("delivers every line, a last line without newline included, never merged across jobs", async () => {
    const lines = `${FIXTURES}bin/lines.mjs`;
    const r = await runJobs(`version: 1
jobs:
  a: { command: [node, "${lines}", "5000", a] }
  b: { command: [node, "${lines}", "5000", b, --stderr] }
  c: { command: [printf, "no newline"] }
`);
    expect(r.lines("a", "stdout")).toEqual(Array.from({ length: 5000 }, (_, i) => `a ${i + 1}`));
    expect(r.lines("b", "stderr")).toEqual(Array.from({ length: 5000 }, (_, i) => `b ${i + 1}`));
    expect(r.lines("c")).toEqual(["no newline"]);
  });
});

describe("dry run", () => {
  it("prints the plan with argv after substitution and starts nothing", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1\nenv: { WHO: file }\njobs:\n  a: { command: touch made }\n  b: { command: [echo, "\${{ job.name }}", "\${{ env.WHO }}", "\${{ env.TO }}"], needs: [a], env: { TO: "to-\${{ env.WHO }}" } }\n`,
    });
    const plan = await cli(["run", "jobs.yaml", "--dry-run", "-o", "json"], { cwd: dir });
    expect(plan.code).toBe(0);
    // A variable whose value is an expression is shown as the job gets it.
    expect(JSON.parse(plan.stdout).jobs.map((j: { job: string; argv: string[] }) => [j.job, j.argv])).toEqual(
      [
        ["a", ["touch", "made"]],
        ["b", ["echo", "b", "file", "to-file"]],
      ],
    );
    const text = await cli(["run", "jobs.yaml", "--dry-run"], { cwd: dir });
    expect(text.stdout).toContain("  2. b after a:success\n     echo b file to-file\n");
    expect(readdirSync(dir)).toEqual(["jobs.yaml"]);
    // One variable whose expression fails (the run will say so) leaves the others as written, not empty.
    writeFileSync(
      join(dir, "jobs.yaml"),
      `version: 1\nenv: { WHO: file }\njobs:\n  c: { command: [echo, "\${{ env.WHO }}", "\${{ env.OK }}"], env: { BAD: "\${{ fromJSON('{nope') }}", OK: "ok" } }\n`,
    );
    const failing = await cli(["run", "jobs.yaml", "--dry-run"], { cwd: dir });
    expect(failing.stdout).toContain("  1. c\n     echo file ok\n");
  });
});
