// Output held past 1 MiB (grouped, quiet) spills to a temp file: it arrives whole, a planted symlink
// is never followed, and nothing is left in the temp folder, even after a SIGKILL of procflow.
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, survivors, tempDir } from "../rig.js";

/** 3 MB of numbered lines (over the 1 MiB held in memory), then `then`. */
const BIG = (then: string) =>
  `[sh, -c, "node -e 'for (let i = 0; i < 100000; i++) console.log(\\"line \\" + i + \\" \\" + \\"x\\".repeat(20))'; ${then}"]`;

describe("output held past 1 MiB (grouped, quiet)", () => {
  it("arrives whole, leaves nothing in the temp folder, and never follows a planted symlink", async () => {
    for (const mode of ["grouped", "quiet"]) {
      const tmp = tempDir();
      const dir = tempDir({ "jobs.yaml": `version: 1\njobs:\n  big: { command: ${BIG("exit 1")} }\n` });
      writeFileSync(join(dir, "target"), "keep me\n");
      const r = await cli(["run", "jobs.yaml", "-o", mode], {
        cwd: dir,
        env: { TMPDIR: tmp, PROCFLOW_STATE_DIR: join(dir, "state") },
        // The name the spill file used to have, planted before procflow gets there.
        onSpawn: (child) => {
          for (let n = 1; n <= 3; n++)
            symlinkSync(join(dir, "target"), join(tmp, `procflow-${child.pid}-${n}.out`));
        },
      });
      expect(r.code).toBe(1);
      const lines = r.stdout.split("\n").filter((l) => l.startsWith("line "));
      expect(lines.length).toBe(100000);
      expect(lines[99999]).toBe(`line 99999 ${"x".repeat(20)}`);
      expect(readFileSync(join(dir, "target"), "utf8")).toBe("keep me\n");
      expect(readdirSync(tmp).sort()).toEqual([1, 2, 3].map((n) => `procflow-${r.pid}-${n}.out`));
    }
  });

  it("leaves no spill file or folder behind when procflow is killed with SIGKILL", async () => {
    const tmp = tempDir();
    const dir = tempDir({
      "jobs.yaml": `version: 1\njobs:\n  big: { command: ${BIG("echo $$ > pid; touch written; exec sleep 100")} }\n`,
    });
    const r = await cli(["run", "jobs.yaml", "-o", "grouped"], {
      cwd: dir,
      env: { TMPDIR: tmp, PROCFLOW_STATE_DIR: join(dir, "state") },
      onSpawn: (child) => {
        const poll = setInterval(() => {
          // The job wrote 3 MB into a 64 KiB pipe: procflow has read (and spilled) nearly all of it.
          if (!existsSync(join(dir, "written"))) return;
          clearInterval(poll);
          setTimeout(() => child.kill("SIGKILL"), 300);
        }, 50);
      },
    });
    expect(r.signal).toBe("SIGKILL");
    expect(await survivors([Number(readFileSync(join(dir, "pid"), "utf8"))], 10_000)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("stays in memory when the temp folder cannot be used", async () => {
    const dir = tempDir({ "jobs.yaml": `version: 1\njobs:\n  big: { command: ${BIG("exit 0")} }\n` });
    const r = await cli(["run", "jobs.yaml", "-o", "grouped"], {
      cwd: dir,
      env: { TMPDIR: join(dir, "missing"), PROCFLOW_STATE_DIR: join(dir, "state") },
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("line ")).length).toBe(100000);
  });
});
