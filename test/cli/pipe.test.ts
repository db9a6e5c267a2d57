// procflow's stdout or stderr going away mid-run (`procflow run x | head`): every job's output is
// still drained to --log-dir, run.json and JUnit, and the run ends with its own exit code.
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CliResult, cli, FIXTURES, tempDir } from "../rig.js";

const LINES = join(FIXTURES, "bin/lines.mjs");
const N = 200_000;
/** Far longer than any of these runs takes once fixed (about 2 s each). */
const HUNG_AFTER_MS = 30_000;

/**
 * `first` prints three lines and writes vars.env (which `big` reads: a warning on stderr at the
 * start); `big` waits until the test says the reader left (the file "gone"), then prints N lines
 * (about 1.9 MB, many times a pipe buffer) and exits with `code`.
 */
const jobFile = (code: number) => `version: 1
jobs:
  first: { command: [sh, -c, "echo one; echo two; echo three; touch vars.env"] }
  big:
    command: [sh, -c, "while [ ! -e gone ]; do sleep 0.05; done; node ${LINES} ${N} big; exit ${code}"]
    needs: [first]
    env_file: vars.env
`;

interface Reader {
  /** Lines read from procflow's stdout before the reader leaves (0: it leaves at once). */
  lines: number;
  /** A slow reader: it stops reading first, and leaves once procflow has backed up on it. */
  slow?: boolean;
  /** stderr's reader leaves at once. */
  noStderr?: boolean;
  /** stdout is read to the end. */
  keepStdout?: boolean;
}

/** Runs jobFile(code) with --log-dir and --junit; the reader of stdout (and stderr) leaves as told. */
async function runAndLeave(mode: string, code: number, reader: Reader) {
  const dir = tempDir({ "jobs.yaml": jobFile(code) });
  let seen = 0;
  let left = false;
  const leave = async (child: ChildProcess) => {
    if (left) return;
    left = true;
    if (reader.keepStdout) {
      writeFileSync(join(dir, "gone"), "");
      return;
    }
    if (reader.slow) {
      child.stdout!.pause();
      writeFileSync(join(dir, "gone"), "");
      await settled(join(dir, "logs/big.log"));
      child.stdout!.destroy();
    } else {
      child.stdout!.destroy();
      writeFileSync(join(dir, "gone"), "");
    }
  };
  let hung = false;
  const r: CliResult = await cli(
    ["run", "jobs.yaml", "-o", mode, "--log-dir", "logs", "--junit", "junit.xml"],
    {
      cwd: dir,
      onSpawn: (child) => {
        if (reader.noStderr) child.stderr!.destroy();
        if (reader.lines === 0) void leave(child);
        const timer = setTimeout(() => {
          hung = true;
          child.kill("SIGKILL");
        }, HUNG_AFTER_MS);
        child.on("exit", () => clearTimeout(timer));
      },
      onStdout: (text, child) => {
        seen += text.split("\n").length - 1;
        if (seen >= reader.lines) void leave(child);
      },
    },
  );
  expect(hung, `the run was still going ${HUNG_AFTER_MS / 1000} s after its reader left`).toBe(false);
  return { dir, ...r };
}

/** Resolves once a file exists and has stopped growing (procflow is blocked, or the job is done). */
async function settled(path: string): Promise<void> {
  let last = -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const size = existsSync(path) ? statSync(path).size : -1;
    if (size > 0 && size === last) return;
    last = size;
  }
}

/** Everything `big` printed reached its log, the run's record and the JUnit report. */
function expectDrained(dir: string, exitCode: number) {
  const log = readFileSync(join(dir, "logs/big.log"), "utf8").split("\n");
  expect(log).toHaveLength(N + 1);
  expect(log.at(-2)).toBe(`big ${N}`);
  const run = JSON.parse(readFileSync(join(dir, "logs/run.json"), "utf8"));
  expect(run.run.exitCode).toBe(exitCode);
  expect(run.events.filter((e: { type: string; job?: string }) => e.job === "big").length).toBeGreaterThan(N);
  const junit = readFileSync(join(dir, "junit.xml"), "utf8");
  expect(junit.includes("<failure")).toBe(exitCode !== 0);
}

// How many lines each mode shows before `big` starts (quiet shows nothing until the end).
const modes: [mode: string, lines: number][] = [
  ["tui", 3],
  ["lines", 3],
  ["grouped", 3],
  ["json", 3],
  ["quiet", 0],
];

describe.each(modes)("-o %s", (mode, lines) => {
  it("drains a failing job's output after the reader left (| head -3) and exits 1", async () => {
    const r = await runAndLeave(mode, 3, { lines });
    expect(r.code).toBe(1);
    expectDrained(r.dir, 1);
  });

  it("resumes a job paused by a slow reader once that reader leaves, and exits 0", async () => {
    const r = await runAndLeave(mode, 0, { lines, slow: true });
    expect(r.code).toBe(0);
    expectDrained(r.dir, 0);
  });
});

describe("a slow reader that leaves while a failing job's output is held back", () => {
  it.each(["grouped", "quiet"])("-o %s exits 1", async (mode) => {
    const r = await runAndLeave(mode, 3, { lines: mode === "quiet" ? 0 : 3, slow: true });
    expect(r.code).toBe(1);
    expectDrained(r.dir, 1);
  });
});

describe("stderr going away", () => {
  it("does not stop the run: stdout still gets every line and the summary", async () => {
    const r = await runAndLeave("lines", 3, { lines: 0, noStderr: true, keepStdout: true });
    expect(r.code).toBe(1);
    const out = r.stdout.split("\n");
    expect(out.filter((l) => l.startsWith("big") && l.includes("| big "))).toHaveLength(N);
    expect(r.stdout).toMatch(/big\s+failed/);
    expectDrained(r.dir, 1);
  });

  it("nor does stdout and stderr both going away", async () => {
    const r = await runAndLeave("lines", 3, { lines: 0, noStderr: true });
    expect(r.code).toBe(1);
    expectDrained(r.dir, 1);
  });
});
