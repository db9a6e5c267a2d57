// `-o tui` in a real pseudo-terminal (`script`), its output read back by a headless xterm.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Terminal } from "@xterm/headless";
import { describe, expect, it } from "vitest";
import { CLI, tempDir } from "../rig.js";

interface TerminalRun {
  code: number | null;
  /** Every line the terminal holds at the end: its scrollback, then its screen. */
  screen: string;
  /** What procflow wrote to the terminal. */
  raw: string;
}

/** Runs `procflow run jobs.yaml ...args` in a pseudo-terminal of the given size (stderr to `err.txt` with `stderrToFile`). */
async function inTerminal(
  dir: string,
  args: string[],
  opts: {
    cols?: number;
    rows?: number;
    env?: Record<string, string>;
    stderrToFile?: boolean;
    /** The terminal reports no size (0×0), as some CI pseudo-terminals do; drawn here as 80×24. */
    sizeless?: boolean;
  } = {},
): Promise<TerminalRun> {
  const { cols = opts.sizeless ? 80 : 100, rows = opts.sizeless ? 24 : 30 } = opts;
  const r = await new Promise<{ code: number | null; raw: string }>((resolve) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      TERM: "xterm-256color",
      FORCE_COLOR: "0",
      NO_COLOR: "1",
      ...opts.env,
    };
    delete env.CI;
    const size = opts.sizeless ? "cols 0 rows 0" : `cols ${cols} rows ${rows}`;
    const command = `stty ${size}; node ${CLI} run jobs.yaml ${args.join(" ")}${opts.stderrToFile ? " 2>err.txt" : ""}`;
    const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: dir, env });
    let raw = "";
    child.stdout.on("data", (d) => {
      raw += d;
    });
    child.on("close", (code) => resolve({ code, raw }));
  });
  const term = new Terminal({ cols, rows, scrollback: 10_000, allowProposedApi: true });
  await new Promise<void>((resolve) => term.write(r.raw, resolve));
  const lines: string[] = [];
  for (let i = 0; i < term.buffer.active.length; i++)
    lines.push(term.buffer.active.getLine(i)!.translateToString(true));
  return { code: r.code, screen: lines.join("\n"), raw: r.raw };
}

/** Jobs that print `<job>1` … `<job>8` over 1.6 s; `e` then fails. */
const chatty = (jobs: string[]) =>
  `version: 1\njobs:\n${jobs
    .map(
      (j) =>
        `  ${j}: { command: [sh, -c, "for i in 1 2 3 4 5 6 7 8; do echo ${j}$i; sleep 0.2; done${j === "e" ? "; exit 1" : ""}"] }\n`,
    )
    .join("")}`;

describe("tui", () => {
  it("draws one row per job in a real terminal, keeps a failed job's last lines, then the summary", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1
jobs:
  server: { command: [node, -e, "console.log('up'); setInterval(() => {}, 1000)"], daemon: true, ready: { log: up } }
  build: { command: [sh, -c, "echo compiled"], needs: [server] }
  broken: { command: [sh, -c, "echo first; echo second; echo third; exit 2"] }
  after: { command: "true", needs: [broken] }
`,
    });
    const { code, screen: text } = await inTerminal(dir, ["--keep-going"]);
    expect(code).toBe(1);
    expect(text).toMatch(/server \(daemon\) stopped/);
    expect(text).toMatch(/build succeeded \(exit 0\)/);
    expect(text).toMatch(/broken failed \(exit 2\)/);
    expect(text).toMatch(/first\n.*second\n.*third/);
    expect(text).toMatch(/after skipped: needs broken: success, but broken failed/);
    expect(text).toMatch(/4 jobs: .*run failed \(exit 1\)/);
  });

  it("draws rows on a terminal that reports no size, as if it were 80×24", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1\njobs:\n  bad: { command: [sh, -c, "echo first; echo LAST-LINE; exit 4"] }\n  ok: { command: "true" }\n`,
    });
    const { code, screen } = await inTerminal(dir, [], { sizeless: true });
    expect(code).toBe(1);
    expect(screen).toMatch(/bad failed \(exit 4\)/);
    expect(screen).toMatch(/ok succeeded \(exit 0\)/);
    expect(screen).toContain("LAST-LINE");
  });

  it("folds more jobs than the terminal has rows into one row of counts, keeping failures", async () => {
    const jobs = Array.from(
      { length: 30 },
      (_, i) => `  j${i}: { command: [sh, -c, "echo job ${i}"] }\n`,
    ).join("");
    const dir = tempDir({
      "jobs.yaml": `version: 1\nconcurrency: 4\njobs:\n${jobs}  bad: { command: [sh, -c, "echo boom; exit 1"] }\n`,
    });
    const { code, screen } = await inTerminal(dir, ["--keep-going"], { rows: 20 });
    expect(code).toBe(1);
    expect(screen).toMatch(/31 jobs: 30 succeeded, 1 failed/);
    expect(screen).toMatch(/bad failed \(exit 1\)[^\n]*\n\s+boom/);
    expect(screen).not.toMatch(/j17 succeeded \(exit 0\)/);
  });

  for (const [layout, rows] of [
    ["a row per job", 11],
    ["the folded row", 6],
  ] as const)
    it(`leaves no stale frames in a short terminal (${layout})`, async () => {
      const dir = tempDir({ "jobs.yaml": chatty(["a", "b", "c", "d", "e", "f"]) });
      const { code, screen } = await inTerminal(dir, ["--keep-going"], { cols: 60, rows });
      expect(code).toBe(1);
      const lines = screen.split("\n").map((l) => l.trim());
      // The failed job's last lines once each (its row); nothing else of the output, nothing twice.
      const output = lines
        .filter((l) => /^(› )?(\w: )?[a-f]\d$/.test(l))
        .map((l) => l.replace(/^(› )?(\w: )?/, ""));
      expect(output).toEqual(["e4", "e5", "e6", "e7", "e8"]);
      expect(lines.filter((l) => /e failed \(exit 1\)/.test(l))).toHaveLength(1);
      expect(screen).toMatch(/6 jobs: 5 succeeded, 1 failed/);
    });

  it("writes plain lines, no cursor movement, when TERM=dumb", async () => {
    const dir = tempDir({ "jobs.yaml": chatty(["a", "b"]) });
    const { code, raw } = await inTerminal(dir, [], { env: { TERM: "dumb" } });
    expect(code).toBe(0);
    expect(raw).not.toContain("\x1b");
    expect(raw).toMatch(/^a \| a8\r?$/m);
    expect(raw).toMatch(/2 jobs: 2 succeeded/);
  });

  it("writes no terminal escapes to a stderr that is not a terminal", async () => {
    const dir = tempDir({ "jobs.yaml": chatty(["a"]) });
    const { code, screen } = await inTerminal(dir, ["-o", "tui"], { stderrToFile: true });
    expect(code).toBe(0);
    expect(screen).toMatch(/a succeeded \(exit 0\)/);
    expect(readFileSync(join(dir, "err.txt"), "utf8")).toBe("");
  });

  it("keeps a row for a matrix built at run time that counts its instances' ends and shows a failure", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1
jobs:
  plan: { command: [sh, -c, 'echo "ks=[1,2,3]" >> "$PROCFLOW_RESULT"'] }
  w:
    needs: [plan]
    matrix: { k: "\${{ fromJSON(needs.plan.result.ks) }}" }
    command: [sh, -c, 'sleep 0.3; test "$PROCFLOW_MATRIX_K" != 2']
`,
    });
    const { code, screen } = await inTerminal(dir, ["-o", "tui", "--keep-going"]);
    expect(code).toBe(1);
    expect(screen).toMatch(/w\[k=…\] 3 of 3 instances ended, 1 failed/);
    expect(screen).toMatch(/✖ w\[k=2\] +failed/);
    expect(screen).toMatch(/4 jobs: 3 succeeded, 1 failed/);
  });
});
