// Paths procflow is told to write that cannot be written: one line naming the path and the problem,
// exit 2, before any job starts; never an internal error, never a hang.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CliOptions, cli, tempDir } from "../rig.js";

/** A job that leaves a trace: had it started, `ran` would exist. */
const file = "version: 1\njobs:\n  a: { command: [touch, ran] }\n";

/** `cli`, SIGKILLed after `ms` (a hang in native code does not even hear SIGTERM). */
function cliWithin(args: string[], opts: CliOptions, ms = 15_000) {
  let timer: NodeJS.Timeout | undefined;
  return cli(args, {
    ...opts,
    onSpawn: (child) => {
      timer = setTimeout(() => child.kill("SIGKILL"), ms);
    },
  }).finally(() => clearTimeout(timer));
}

describe("output paths that cannot be written", () => {
  it.each([
    [
      ["--junit", "f.yaml/j.xml"],
      "--junit f.yaml/j.xml: cannot make its folder: file already exists (EEXIST)",
    ],
    [["--junit", "."], "--junit .: cannot write that file: illegal operation on a directory (EISDIR)"],
    [
      ["--log-dir", "f.yaml/logs"],
      "--log-dir f.yaml/logs: cannot make that folder: not a directory (ENOTDIR)",
    ],
  ])("run %j: exit 2 before any job starts", async (args, message) => {
    const dir = tempDir({ "f.yaml": file });
    const r = await cliWithin(["run", "f.yaml", "-o", "lines", ...args], { cwd: dir });
    expect(r.stderr).toBe(`procflow run: ${message}\n`);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, "ran"))).toBe(false);
  });

  it.skipIf(process.platform !== "linux")(
    "run --log-dir /proc/nope ends at once (Node's own mkdir -p spins there forever)",
    async () => {
      const dir = tempDir({ "f.yaml": file });
      for (const [logDir, message] of [
        ["/proc/nope", "cannot make that folder: no such file or directory (ENOENT)"],
        ["/proc/nope/deeper", "cannot make that folder: no such file or directory (ENOENT)"],
        ["/proc", "cannot write run.json there: no such file or directory (ENOENT)"],
      ]) {
        const started = Date.now();
        const r = await cliWithin(["run", "f.yaml", "--log-dir", logDir!], { cwd: dir });
        expect(r.signal, logDir).toBe(null);
        expect(r.code).toBe(2);
        expect(r.stderr).toBe(`procflow run: --log-dir ${logDir}: ${message}\n`);
        expect(Date.now() - started).toBeLessThan(10_000);
      }
      expect(existsSync(join(dir, "ran"))).toBe(false);
    },
  );

  it.skipIf(process.platform !== "linux")(
    "a state folder or a cache folder under /proc: the run goes on without it, and ends",
    async () => {
      const dir = tempDir({
        "f.yaml": "version: 1\njobs:\n  a: { command: [touch, ran], inputs: [f.yaml], outputs: [ran] }\n",
      });
      const r = await cliWithin(["run", "f.yaml", "-o", "quiet", "--cache-dir", "/proc/nope/cache"], {
        cwd: dir,
        env: { PROCFLOW_STATE_DIR: "/proc/nope/state" },
      });
      expect(r.signal).toBe(null);
      expect(r.code).toBe(0);
      expect(existsSync(join(dir, "ran"))).toBe(true);
      expect(r.stderr).toContain("procflow: warning: no control endpoint: /proc/nope/state: ENOENT");
      expect(r.stderr).toContain("procflow: warning: a: its result was not cached:");
      expect(r.stderr).not.toContain("internal error");
    },
  );

  it("report -o into a missing folder: exit 2, one line", async () => {
    const dir = tempDir({ "f.yaml": file });
    expect((await cli(["run", "f.yaml", "-o", "quiet", "--log-dir", "logs"], { cwd: dir })).code).toBe(0);
    const r = await cliWithin(["report", "logs/run.json", "-o", "/nonexistent/dir/x.html"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "procflow report: cannot write /nonexistent/dir/x.html: no such file or directory (ENOENT)\n",
    );
  });

  it("--junit into a folder that does not exist yet makes it, as --log-dir does", async () => {
    const dir = tempDir({ "f.yaml": file });
    const r = await cli(["run", "f.yaml", "-o", "quiet", "--junit", "reports/ci/junit.xml"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, "reports/ci/junit.xml"))).toBe(true);
  });

  it("a --junit folder removed during the run: a warning, the run's own exit code", async () => {
    const dir = tempDir({
      "f.yaml": "version: 1\njobs:\n  a: { command: [rm, -r, out] }\n  b: { command: [sh, -c, 'exit 3'] }\n",
    });
    mkdirSync(join(dir, "out"));
    const r = await cli(["run", "f.yaml", "-o", "quiet", "--junit", "out/j.xml"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "procflow: warning: the JUnit report was not written to out/j.xml: no such file or directory (ENOENT)",
    );
    expect(r.stderr).not.toContain("internal error");
  });

  it("a --log-dir folder removed during the run: one warning when a log cannot be opened, the run goes on", async () => {
    // The matrix's instances exist only once p has run, after `a` removed the folder: their logs open then.
    const dir = tempDir({
      "f.yaml": `version: 1
jobs:
  a: { command: [rm, -r, logs] }
  p: { command: [sh, -c, 'echo "v=[1,2]" >> "$PROCFLOW_RESULT"'], needs: [a] }
  m: { command: [echo, "\${{ matrix.v }}"], needs: [p], matrix: { v: "\${{ fromJSON(needs.p.result.v) }}" } }
`,
    });
    const r = await cli(["run", "f.yaml", "-o", "quiet", "--log-dir", "logs"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(
      r.stderr.match(
        /procflow: warning: --log-dir: logs\/.* cannot be written: no such file or directory \(ENOENT\)\n/g,
      ),
    ).toHaveLength(1);
    expect(r.stderr).not.toContain("internal error");
  });
});
