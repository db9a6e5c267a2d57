// The human output modes, log files and JUnit, through the real CLI.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, cli, type Event, FIXTURES, runJobs, tempDir } from "../rig.js";

const LINES = join(FIXTURES, "bin/lines.mjs");
const file = `version: 1
jobs:
  build: { command: [sh, -c, "echo compiling; echo warning >&2"] }
  test: { command: [sh, -c, "echo testing; exit 3"], needs: [build] }
  lint: { command: [sh, -c, "sleep 0.3; echo linted"] }
  deploy: { command: echo deploying, needs: [test] }
`;

async function runMode(mode: string, yaml = file, extra: string[] = [], env: Record<string, string> = {}) {
  const dir = tempDir({ "jobs.yaml": yaml });
  return { dir, ...(await cli(["run", "jobs.yaml", "-o", mode, ...extra], { cwd: dir, env })) };
}

describe("lines", () => {
  it("prefixes every output line with its job, padded; one line per state change; the summary", async () => {
    const r = await runMode("lines");
    expect(r.code).toBe(1);
    const out = r.stdout.split("\n");
    expect(out).toContain("build  | compiling");
    expect(out).toContain("build  ! warning");
    expect(out).toContain("test   | testing");
    expect(out).toContain(
      "test   ✖ failed (exit 3) in " + out.find((l) => l.startsWith("test   ✖"))!.split(" in ")[1],
    );
    expect(out).toContain("deploy ↷ skipped: needs test: success, but test failed");
    expect(out.some((l) => /^build {2}▶ started, pid \d+: sh -c /.test(l))).toBe(true);
    expect(r.stdout).toMatch(/\n {2}job +state +exit +duration +attempts +pid\n/);
    expect(r.stdout).toMatch(/✖ test +failed +exit 3 /);
    expect(r.stdout).toMatch(/4 jobs: .*run failed \(exit 1\)\n$/);
  });

  it("keeps 5,000-line bursts of several jobs whole, in order per job, never merged", async () => {
    const r = await runMode(
      "lines",
      `version: 1\njobs:\n${["a", "b", "c"].map((j) => `  ${j}: { command: [node, ${LINES}, "5000", ${j}] }\n`).join("")}`,
    );
    for (const j of ["a", "b", "c"]) {
      const mine = r.stdout.split("\n").filter((l) => l.startsWith(`${j} | `));
      expect(mine).toEqual(Array.from({ length: 5000 }, (_, i) => `${j} | ${j} ${i + 1}`));
    }
  });

  it("writes the same whole, ordered output when stdout is a file", async () => {
    // A file takes another path than a pipe: big chunks are written directly, small ones coalesced.
    const dir = tempDir({
      "jobs.yaml": `version: 1\njobs:\n${["a", "b"].map((j) => `  ${j}: { command: [node, ${LINES}, "20000", ${j}] }\n`).join("")}  c: { command: echo small, needs: [a, b] }\n`,
    });
    const code = await new Promise((resolve) =>
      spawn("sh", ["-c", `"${process.execPath}" "${CLI}" run jobs.yaml -o lines > out.txt`], {
        cwd: dir,
        env: { ...process.env, NO_COLOR: "1", CI: "true" },
        stdio: "ignore",
      }).on("close", resolve),
    );
    expect(code).toBe(0);
    const out = readFileSync(join(dir, "out.txt"), "utf8").split("\n");
    for (const j of ["a", "b"]) {
      const mine = out.filter((l) => l.startsWith(`${j} | `));
      expect(mine).toEqual(Array.from({ length: 20000 }, (_, i) => `${j} | ${j} ${i + 1}`));
      const started = out.findIndex((l) => l.startsWith(`${j} ▶ started`));
      const succeeded = out.findIndex((l) => l.startsWith(`${j} ✔ succeeded`));
      expect(started).toBeLessThan(out.indexOf(`${j} | ${j} 1`));
      expect(succeeded).toBeGreaterThan(out.indexOf(`${j} | ${j} 20000`));
    }
    expect(out.indexOf("c | small")).toBeGreaterThan(out.findIndex((l) => l.startsWith("c ▶ started")));
    expect(out.at(-2)).toMatch(/^3 jobs: 3 succeeded .*run succeeded \(exit 0\)$/);
  });

  it("colours per job only when asked, and tells children to colour too", async () => {
    const yaml = `version: 1\njobs:\n  a: { command: [sh, -c, 'echo "FORCE_COLOR=$FORCE_COLOR"'] }\n`;
    const plain = await runMode("lines", yaml);
    expect(plain.stdout).not.toContain("\x1b[");
    expect(plain.stdout).toContain("| FORCE_COLOR=\n");
    const colored = await runMode("lines", yaml, [], { NO_COLOR: "", FORCE_COLOR: "1" });
    expect(colored.stdout).toContain("\x1b[");
    expect(colored.stdout).toContain("FORCE_COLOR=1");
    const off = await runMode("lines", yaml, ["--no-color"], { NO_COLOR: "", FORCE_COLOR: "1" });
    expect(off.stdout).not.toContain("\x1b[");
  });

  it("stops writing when its stdout is closed (| head) and still finishes the run", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1\njobs:\n  a: { command: [node, ${LINES}, "20000", a] }\n  b: { command: touch finished, needs: [a] }\n`,
    });
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const sh = spawn(
        "sh",
        ["-c", `node ${CLI} run jobs.yaml -o lines | head -n 3; echo "status \${PIPESTATUS:-}"`],
        {
          cwd: dir,
          env: { ...process.env, CI: "1", NO_COLOR: "1" },
        },
      );
      let out = "";
      sh.stdout.on("data", (d) => {
        out += d;
      });
      sh.on("close", (code) => resolve({ code, out }));
    });
    const [first, second, third] = r.out.split("\n");
    expect(first).toMatch(/^a +▶ started/);
    expect([second, third]).toEqual(["a | a 1", "a | a 2"]);
    // procflow ran on after head left: the job after the big one ran.
    for (let i = 0; i < 50 && !existsSync(join(dir, "finished")); i++)
      await new Promise((res) => setTimeout(res, 100));
    expect(existsSync(join(dir, "finished"))).toBe(true);
  });
});

describe("grouped and quiet", () => {
  it("grouped: each job's output as one block under its state line, in completion order", async () => {
    const r = await runMode(
      "grouped",
      `version: 1\nconcurrency: 3\njobs:\n${["a", "b", "c"].map((j, i) => `  ${j}: { command: [sh, -c, "sleep 0.${3 - i}; node ${LINES} 2000 ${j}"] }\n`).join("")}`,
      ["--log-dir", "logs"],
    );
    const out = r.stdout.split("\n");
    const headers = out.filter((l) => l.startsWith("── "));
    // Blocks come in the order the jobs ended, as the event stream has it.
    const events = JSON.parse(readFileSync(join(r.dir, "logs", "run.json"), "utf8")).events as Event[];
    const ended = events.filter((e) => e.type === "job:exit").map((e) => e.job);
    expect(headers.map((h) => h.slice(3, 4))).toEqual(ended);
    expect(ended.sort()).toEqual(["a", "b", "c"]);
    for (const j of ["a", "b", "c"]) {
      const at = out.findIndex((l) => l.startsWith(`── ${j} ✔ succeeded`));
      expect(out.slice(at + 1, at + 2001)).toEqual(Array.from({ length: 2000 }, (_, i) => `${j} ${i + 1}`));
    }
  });

  it("grouped: holds a big job's output in bounded memory and loses nothing", async () => {
    const r = await runMode(
      "grouped",
      `version: 1\njobs:\n  big: { command: [node, ${LINES}, "300000", big] }\n`,
    );
    const lines = r.stdout.split("\n").filter((l) => l.startsWith("big "));
    expect(lines).toHaveLength(300000);
    expect(lines[299999]).toBe("big 300000");
  });

  it("quiet: only failures, with their output, and the summary", async () => {
    const r = await runMode("quiet");
    expect(r.stdout).not.toContain("compiling");
    expect(r.stdout).not.toContain("linted");
    expect(r.stdout).toMatch(/── test +✖ failed \(exit 3\) in \S+\ntesting\n/);
    expect(r.stdout).toMatch(/↷ deploy +skipped/);
  });
});

describe("robust output", () => {
  it("survives binary output and invalid UTF-8, splits lines over 64 KiB, keeps a last line without newline", async () => {
    const r = await runJobs(`version: 1
jobs:
  bin: { command: [node, -e, "process.stdout.write(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a, 0xc3]))"] }
  long: { command: [node, -e, "process.stdout.write('x'.repeat(200000) + '\\\\ny')"] }
`);
    expect(r.code).toBe(0);
    expect(r.lines("bin")).toEqual(["\ufffd\ufffd\u0000A", "\ufffd"]);
    const long = r.lines("long");
    expect(long.map((l) => l.length)).toEqual([65536, 65536, 65536, 3392, 1]);
    expect(long.join("")).toBe(`${"x".repeat(200000)}y`);
  });
});

describe("log files and JUnit", () => {
  it("--log-dir writes each job's full output and run.json with every event", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1\njobs:\n  m: { matrix: { os: [linux] }, command: [sh, -c, "echo out; echo err >&2"] }\n  big: { command: [node, ${LINES}, "10000", big] }\n`,
    });
    const r = await cli(["run", "jobs.yaml", "--log-dir", "logs"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "logs/m_os=linux_.log"), "utf8")).toBe("out\nerr\n");
    expect(readFileSync(join(dir, "logs/big.log"), "utf8").split("\n")).toHaveLength(10001);
    const run = JSON.parse(readFileSync(join(dir, "logs/run.json"), "utf8"));
    expect(run.run).toMatchObject({
      state: "succeeded",
      exitCode: 0,
      jobs: { "m[os=linux]": "succeeded", big: "succeeded" },
    });
    expect(run.events[0].type).toBe("run:start");
    expect(run.events.filter((e: { type: string }) => e.type === "job:output")).toHaveLength(10002);
    expect(run.events.map((e: { seq: number }) => e.seq)).toEqual(
      run.events.map((_: unknown, i: number) => i + 1),
    );
  });

  it("--junit writes one testcase per job, failures with the output tail, skips with the reason", async () => {
    const r = await runMode("lines", file, ["--junit", "report.xml"]);
    const xml = readFileSync(join(r.dir, "report.xml"), "utf8");
    expect(xml).toMatch(/<testsuite name="jobs" tests="4" failures="1" skipped="1"/);
    expect(xml).toMatch(
      /<testcase name="test" classname="jobs" time="[\d.]+">\s*<failure message="failed \(exit 3\)" type="failed">testing\n<\/failure>/,
    );
    expect(xml).toContain('<skipped message="needs test: success, but test failed"/>');
    expect(xml.match(/<testcase /g)).toHaveLength(4);
  });

  it("--junit counts a job stopped by --timeout as a failure; a daemon stopped at the end passes", async () => {
    const yaml = `version: 1
jobs:
  svc: { command: [sleep, "30"], daemon: true }
  slow: { command: [sh, -c, "echo slowly; sleep 30"], needs: { svc: started } }
`;
    const r = await runMode("lines", yaml, ["--junit", "report.xml", "--timeout", "1s"]);
    expect(r.code).toBe(124);
    const xml = readFileSync(join(r.dir, "report.xml"), "utf8");
    expect(xml).toMatch(/<testsuite name="jobs" tests="2" failures="1" skipped="0"/);
    expect(xml).toMatch(
      /<testcase name="slow" [^>]*>\s*<failure message="stopped \(run-timeout\)" type="stopped">slowly\n<\/failure>/,
    );
    expect(xml).toMatch(/<testcase name="svc" [^>]*><\/testcase>/);
  });
});
