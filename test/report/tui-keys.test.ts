// The tui's keys (SPEC §11) in a real pseudo-terminal (`script`): keys typed into it, what procflow
// did read back from `--log-dir`'s run.json and from the terminal.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, tempDir } from "../rig.js";

const DOWN = "\x1b[B";
const UP = "\x1b[A";

/** A shell command line running in a pseudo-terminal; keys go in as typed, its output is kept. */
class Terminal {
  private readonly child: ChildProcess;
  raw = "";
  private readonly waiters = new Set<() => void>();
  readonly done: Promise<number | null>;

  constructor(dir: string, command: string) {
    const env: Record<string, string | undefined> = {
      ...process.env,
      TERM: "xterm-256color",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
      PS1: "$ ",
    };
    delete env.CI;
    this.child = spawn("script", ["-qec", `stty cols 100 rows 30; ${command}`, "/dev/null"], {
      cwd: dir,
      env,
    });
    this.child.stdout!.on("data", (d) => {
      this.raw += d;
      for (const w of this.waiters) w();
    });
    this.done = new Promise((resolve) => this.child.on("close", (code) => resolve(code)));
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
const runThenStty = `node ${CLI} run jobs.yaml -o tui --log-dir logs; echo "exit=$?"; stty -a`;

interface Ev {
  type: string;
  job?: string;
  attempt?: number;
  reason?: string;
  state?: string;
  verb?: string;
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
    const t = new Terminal(dir, runThenStty);
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
});
