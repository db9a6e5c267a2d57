// The tui's keys (SPEC §11) in a real pseudo-terminal (`script`): keys typed into it, what procflow
// did read back from `--log-dir`'s run.json and from the terminal.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Terminal as Xterm } from "@xterm/headless";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, tempDir } from "../rig.js";

const DOWN = "\x1b[B";
const UP = "\x1b[A";

/** Terminals still open after a test (one that failed): closed, which hangs up what runs in them. */
const open = new Set<ChildProcess>();
afterEach(() => {
  for (const child of open) child.kill("SIGKILL");
});

/** A shell command line running in a pseudo-terminal; keys go in as typed, its output is kept. */
class Terminal {
  private readonly child: ChildProcess;
  raw = "";
  private readonly waiters = new Set<() => void>();
  readonly done: Promise<number | null>;

  constructor(dir: string, command: string, rows = 30) {
    const env: Record<string, string | undefined> = {
      ...process.env,
      TERM: "xterm-256color",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    };
    delete env.CI;
    this.child = spawn("script", ["-qec", `stty cols 100 rows ${rows}; ${command}`, "/dev/null"], {
      cwd: dir,
      env,
    });
    this.child.stdout!.on("data", (d) => {
      this.raw += d;
      for (const w of this.waiters) w();
    });
    open.add(this.child);
    this.done = new Promise((resolve) =>
      this.child.on("close", (code) => {
        open.delete(this.child);
        resolve(code);
      }),
    );
  }

  /** Waits until the terminal has shown `pattern` (after `from`, an index into raw); returns where it ended. */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(this.raw.slice(from));
        if (!m) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(from + m.index + m[0].length);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${pattern} in the terminal:\n${this.raw.slice(-3000)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  type(keys: string) {
    this.child.stdin!.write(keys);
  }

  async end(): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 30_000);
    const code = await this.done;
    clearTimeout(timer);
    return code;
  }
}

/** `procflow run` with the tui, its events in logs/run.json, then its exit code and the terminal's mode. */
const runThenStty = (args = "") =>
  `node ${CLI} run jobs.yaml -o tui --log-dir logs ${args}; echo "exit=$?"; stty -a`;

/** An interactive shell (with job control) in the pseudo-terminal. */
const SHELL = "bash --norc --noprofile -i";
const PROMPT = /[#$] $/;

interface Ev {
  type: string;
  job?: string;
  attempt?: number;
  reason?: string;
  state?: string;
  verb?: string;
  jobs?: string[];
}
const events = (dir: string): Ev[] => JSON.parse(readFileSync(join(dir, "logs/run.json"), "utf8")).events;

/** The terminal is back in its usual mode: lines (icanon) and echo on. */
function expectCookedMode(raw: string) {
  const stty = raw.slice(raw.lastIndexOf("exit="));
  expect(stty).toMatch(/(^|\s)icanon(\s|$)/m);
  expect(stty).toMatch(/(^|\s)echo(\s|$)/m);
  expect(stty).toMatch(/(^|\s)isig(\s|$)/m);
}

const ticker = (name: string) =>
  `{ command: [node, -e, "console.log('up'); let i = 0; setInterval(() => console.log('${name}' + ++i), 50)"], daemon: true, ready: { log: up } }`;

describe("tui keys", () => {
  it("↓ selects, r restarts the selected job, l shows its last lines, q ends the run as Ctrl-C does", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1
jobs:
  service: ${ticker("tick")}
  worker: { command: [node, -e, "setTimeout(() => {}, 60000)"], needs: [service] }
`,
    });
    const t = new Terminal(dir, runThenStty());
    let at = await t.waitFor(/worker running, pid/);
    t.type(DOWN);
    at = await t.waitFor(/▸ service/, at);
    t.type("r");
    at = await t.waitFor(/restart service: done/, at);
    t.type("l");
    at = await t.waitFor(/── service: last 20 lines ──\r\n(tick\d+\r\n){20}/, at);
    t.type("q");
    await t.waitFor(/exit=130/, at);
    expect(await t.end()).toBe(0);
    expectCookedMode(t.raw);

    const trace = events(dir).filter(
      (e) => (e.job === "service" && e.type !== "job:output") || e.type === "run:control",
    );
    const kinds = trace.map(
      (e) => `${e.type}${e.attempt ? ` ${e.attempt}` : ""}${e.reason ? ` ${e.reason}` : ""}`,
    );
    expect(kinds.slice(0, 7)).toEqual([
      "job:start 1",
      "job:ready",
      "run:control",
      "job:stop manual",
      "job:exit 1",
      "job:restart 2 manual",
      "job:start 2",
    ]);
    expect(trace.find((e) => e.type === "run:control")).toMatchObject({ verb: "restart", jobs: ["service"] });
    // q: an interrupt, and worker was not disturbed by the restart
    expect(events(dir).at(-1)).toMatchObject({ type: "run:end", state: "interrupted", exitCode: 130 });
    expect(events(dir).filter((e) => e.job === "worker" && e.type === "job:start")).toHaveLength(1);
  });

  it("s stops the selected job, S starts it again, S of a job whose need failed says why; 0x03 is Ctrl-C", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1
jobs:
  build: { command: [sh, -c, "exit 1"] }
  report: { command: "true", needs: [build] }
  worker: { command: [node, -e, "setTimeout(() => {}, 60000)"] }
`,
    });
    const t = new Terminal(dir, runThenStty("--keep-alive"));
    let at = await t.waitFor(/worker running, pid/);
    await t.waitFor(/build failed/);
    t.type(UP); // the first ↑ selects the last job
    at = await t.waitFor(/▸ worker/, at);
    t.type("s");
    at = await t.waitFor(/stop worker: done/, at);
    at = await t.waitFor(/worker stopped \(signal SIGTERM\)/, at);
    t.type("S");
    at = await t.waitFor(/worker running, pid \d+, attempt 2/, at);
    t.type(UP);
    at = await t.waitFor(/▸ report/, at);
    t.type("S");
    at = await t.waitFor(/start report: report needs build: success, but build failed/, at);
    t.type("\x03");
    await t.waitFor(/exit=130/, at);
    expect(await t.end()).toBe(0);
    expectCookedMode(t.raw);

    const all = events(dir);
    expect(all.filter((e) => e.type === "run:control").map((e) => [e.verb, e.jobs])).toEqual([
      ["stop", ["worker"]],
      ["start", ["worker"]],
      ["start", ["report"]],
    ]);
    const worker = all.filter((e) => e.job === "worker" && e.type !== "job:output");
    expect(worker.slice(0, 5)).toMatchObject([
      { type: "job:start", attempt: 1 },
      { type: "job:stop", reason: "manual" },
      { type: "job:exit", state: "stopped" },
      { type: "job:restart", attempt: 2, reason: "manual" },
      { type: "job:start", attempt: 2 },
    ]);
    expect(all.at(-1)).toMatchObject({ type: "run:end", state: "interrupted", exitCode: 130 });
  });

  it("a crash of procflow (exit 70) leaves the terminal in its usual mode", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1\njobs:\n  a: { command: [node, -e, "setTimeout(() => {}, 60000)"] }\n`,
    });
    const t = new Terminal(dir, `PROCFLOW_DEBUG_CRASH=2000 ${runThenStty()}`);
    const at = await t.waitFor(/a running, pid/);
    t.type(DOWN);
    await t.waitFor(/▸ a/, at); // in raw mode by now
    await t.waitFor(/exit=70/, at);
    expect(await t.end()).toBe(0);
    expectCookedMode(t.raw);
  });

  it("a run in the background of an interactive shell is not stopped (SIGTTIN/SIGTTOU)", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1\njobs:\n  a: { command: [sh, -c, "sleep 1; echo done"] }\n`,
    });
    const t = new Terminal(dir, SHELL);
    await t.waitFor(PROMPT);
    t.type(`node ${CLI} run jobs.yaml -o tui > out.txt 2>&1 &\n`);
    t.type(`wait $!; echo "bg-exit=$?"\n`);
    const at = await t.waitFor(/bg-exit=\d+/);
    t.type("exit\n");
    expect(await t.end()).toBe(0);
    expect(t.raw).not.toMatch(/Stopped/);
    expect(t.raw.slice(0, at)).toMatch(/bg-exit=0/);
    expect(readFileSync(join(dir, "out.txt"), "utf8")).toMatch(/1 job: 1 succeeded/);
  });

  it("Ctrl-Z stops the run as the terminal would; in the background it reads no keys; after fg it does", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1\njobs:\n  a: { command: [node, -e, "setTimeout(() => {}, 60000)"] }\n`,
    });
    const t = new Terminal(dir, SHELL);
    await t.waitFor(PROMPT);
    t.type(`node ${CLI} run jobs.yaml -o tui --log-dir logs\n`);
    let at = await t.waitFor(/a running, pid/);
    t.type("\x1a");
    at = await t.waitFor(/Stopped/, at);
    t.type("bg\n");
    at = await t.waitFor(/jobs.yaml -o tui --log-dir logs &/, at);
    // Typed while the run is in the background: a run still reading its terminal would be stopped.
    t.type(`sleep 0.5; jobs; fg; echo "exit=$?"; stty -a\n`);
    at = await t.waitFor(/Running/, at);
    at = await t.waitFor(/a running, pid/, at);
    t.type(DOWN);
    at = await t.waitFor(/▸ a/, at);
    t.type("q");
    at = await t.waitFor(/exit=\d+[\s\S]*-extproc/, at);
    t.type("exit\n");
    expect(await t.end()).toBe(0);
    expect(t.raw).not.toMatch(/Stopped \(tty/);
    expect(t.raw).toMatch(/exit=130/);
    expectCookedMode(t.raw);
    expect(events(dir).at(-1)).toMatchObject({ type: "run:end", state: "interrupted" });
  });
});

/** What a terminal of this size shows after `raw`: its scrollback and screen, and its screen alone. */
async function render(raw: string, rows: number) {
  const term = new Xterm({ cols: 100, rows, scrollback: 10_000, allowProposedApi: true });
  await new Promise<void>((resolve) => term.write(raw, resolve));
  const lines: string[] = [];
  for (let i = 0; i < term.buffer.active.length; i++)
    lines.push(term.buffer.active.getLine(i)!.translateToString(true));
  return { all: lines.join("\n"), screen: lines.slice(term.buffer.active.baseY).join("\n") };
}

describe("tui keys in a short terminal", () => {
  it("the list, the last lines and the help line fit the screen; none of it is left behind", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1
jobs:
  service: ${ticker("tick")}
  worker: { command: [node, -e, "setTimeout(() => {}, 60000)"], needs: [service] }
  other: { command: [node, -e, "setTimeout(() => {}, 60000)"] }
`,
    });
    const rows = 10;
    const t = new Terminal(dir, runThenStty(), rows);
    let at = await t.waitFor(/worker running, pid/);
    t.type(DOWN);
    at = await t.waitFor(/▸ service/, at);
    t.type("l");
    at = await t.waitFor(/── service: last \d+ lines ──/, at);
    t.type("?");
    at = await t.waitFor(/r restart · s stop · S start/, at);
    // Let the panel be redrawn a few dozen times with new lines.
    const seen = Number(/tick(\d+)\r\n▸ service/.exec(t.raw.slice(at - 2000))?.[1] ?? 0);
    at = await t.waitFor(new RegExp(`tick${seen + 20}\\r\\n(tick\\d+\\r\\n)*▸ service[^\\r]*r restart`), at);
    const { screen } = await render(t.raw.slice(0, at), rows);
    expect(screen).toMatch(/▸ service \(daemon\)[\s\S]*\n. worker running[\s\S]*\n. other running/);
    expect(screen).toMatch(/── service: last [1-9] lines ──\n(tick\d+\n)+▸ service .*r restart/);
    t.type("q");
    await t.waitFor(/exit=130/, at);
    expect(await t.end()).toBe(0);

    const { all } = await render(t.raw, rows);
    expect(all).toMatch(/3 jobs: 3 stopped/);
    expect(all).not.toMatch(/^tick\d+$/m);
    expect(all).not.toMatch(/── service|r restart · s stop|▸/);
  });
});

describe("stdin outside the tui", () => {
  for (const [mode, how] of [
    ["lines", "-o lines"],
    ["tui", "-o tui"],
  ] as const)
    it(`is not read when it is not a terminal (${mode})`, async () => {
      const dir = tempDir({ "jobs.yaml": `version: 1\njobs:\n  a: { command: [sh, -c, "echo ran"] }\n` });
      // What procflow leaves unread in the pipe reaches `cat` after it.
      const child = spawn(
        "sh",
        ["-c", `printf 'left for cat' | { node ${CLI} run jobs.yaml ${how}; cat; }`],
        {
          cwd: dir,
          env: { ...process.env, NO_COLOR: "1" },
        },
      );
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      const code = await new Promise((resolve) => child.on("close", resolve));
      expect(code).toBe(0);
      expect(out).toMatch(/1 job: 1 succeeded[\s\S]*left for cat$/);
    });
});
