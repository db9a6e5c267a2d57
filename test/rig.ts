// Test rig: temp dirs with job files, and the real CLI (bin/procflow.js, built by `npm test`) run on them.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";

export const CLI = new URL("../bin/procflow.js", import.meta.url).pathname;
export const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

const dirs: string[] = [];
const running = new Set<import("node:child_process").ChildProcess>();
afterAll(() => {
  // A CLI still running here belongs to a test that failed or timed out: SIGKILL it (its watchdog cleans up).
  for (const child of running) child.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp dir holding the given files (name → content). */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "procflow-test-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Called with the child once it is spawned, e.g. to send it a signal. */
  onSpawn?: (child: import("node:child_process").ChildProcess) => void;
  /** Called with each chunk of stdout as it arrives. */
  onStdout?: (text: string, child: import("node:child_process").ChildProcess) => void;
}

/** Runs `procflow ...args` to its end. Colour is off unless the env asks for it. */
export function cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      NO_COLOR: "1",
      FORCE_COLOR: undefined,
      CI: "true",
      ...opts.env,
    };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
      opts.onStdout?.(s, child);
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr, pid: child.pid! });
    });
    opts.onSpawn?.(child);
  });
}

export interface Event {
  seq: number;
  time: number;
  type: string;
  job?: string;
  [key: string]: unknown;
}

export interface RunResult extends CliResult {
  events: Event[];
  dir: string;
  /** Events of one type (and job). */
  of(type: string, job?: string): Event[];
  /** Output lines of a job. */
  lines(job: string, stream?: "stdout" | "stderr"): string[];
  /**
   * Position in the stream of the first event of a type for a job; throws when there is none (an
   * order check against an event that never came would otherwise pass or fail by accident).
   */
  seqOf(type: string, job: string): number;
}

/** Writes `yaml` as jobs.yaml in a temp dir (with `files`), runs `procflow run jobs.yaml -o json ...args`. */
export async function runJobs(
  yaml: string,
  args: string[] = [],
  opts: CliOptions & { files?: Record<string, string> } = {},
): Promise<RunResult> {
  const dir = opts.cwd ?? tempDir(opts.files);
  writeFileSync(join(dir, "jobs.yaml"), yaml);
  const r = await cli(["run", "jobs.yaml", "-o", "json", ...args], { ...opts, cwd: dir });
  return withEvents(r, dir);
}

export function withEvents(r: CliResult, dir: string): RunResult {
  const events: Event[] = r.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      try {
        return JSON.parse(l) as Event;
      } catch {
        throw new Error(`not an event: ${l}\nstderr: ${r.stderr}`);
      }
    });
  return {
    ...r,
    events,
    dir,
    of: (type, job) => events.filter((e) => e.type === type && (job === undefined || e.job === job)),
    lines: (job, stream) =>
      events
        .filter((e) => e.type === "job:output" && e.job === job && (!stream || e.stream === stream))
        .map((e) => e.line as string),
    seqOf: (type, job) => {
      const e = events.find((e) => e.type === type && e.job === job);
      if (!e) throw new Error(`no ${type} event for ${job}`);
      return e.seq;
    },
  };
}

/** The end state of every job, from run:end. */
export const endStates = (r: RunResult) => r.of("run:end")[0]?.jobs as Record<string, string>;

/** Whether a process is alive (zombies count as dead). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Waits until none of the pids is alive, up to `ms`; returns those still alive. */
export async function survivors(pids: number[], ms = 2000): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = left.filter(alive);
  }
  return left;
}

/** Pids of live processes whose environment holds PROCFLOW_RUN_ID=<runId>. */
export function processesOfRun(runId: string): number[] {
  const entry = `PROCFLOW_RUN_ID=${runId}`;
  const out: number[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${p}/environ`, "latin1").split("\0").includes(entry) && alive(Number(p)))
        out.push(Number(p));
    } catch {}
  }
  return out;
}

export interface LiveRun {
  readonly dir: string;
  /** Events seen so far on the run's -o json stdout. */
  readonly events: Event[];
  /** The run's end (send it a signal first, unless it ends by itself). */
  readonly done: Promise<RunResult>;
  readonly child: import("node:child_process").ChildProcess;
  /** Waits until an event matches (up to `ms`). */
  until(match: (e: Event) => boolean, ms?: number): Promise<Event>;
  /** The events of a type (and job) so far. */
  of(type: string, job?: string): Event[];
}

/** Starts `procflow run jobs.yaml -o json ...args` in a temp dir holding `files`, without waiting for its end. */
export function startLive(
  yaml: string,
  args: string[] = [],
  files: Record<string, string> = {},
  env: Record<string, string> = {},
): LiveRun {
  const dir = tempDir({ ...files, "jobs.yaml": yaml });
  const events: Event[] = [];
  let buffer = "";
  let child!: import("node:child_process").ChildProcess;
  const done = cli(["run", "jobs.yaml", "-o", "json", ...args], {
    cwd: dir,
    env,
    onSpawn: (c) => {
      child = c;
    },
    onStdout: (text) => {
      buffer += text;
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const l of lines) if (l.trim()) events.push(JSON.parse(l) as Event);
    },
  }).then((r) => withEvents(r, dir));
  const of = (type: string, job?: string) =>
    events.filter((e) => e.type === type && (job === undefined || e.job === job));
  return {
    dir,
    events,
    done,
    child,
    of,
    async until(match, ms = 20_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const e = events.find(match);
        if (e) return e;
        if (Date.now() > deadline)
          throw new Error(`no such event; seen:\n${events.map((x) => JSON.stringify(x)).join("\n")}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
