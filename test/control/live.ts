// A live run in the background for the control tests: its -o json events as they come, and `ctl`.
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type CliResult, cli, type Event, tempDir } from "../rig.js";

/** A private state folder, so that the runs of other tests are not listed. */
export function stateDir(): string {
  const dir = join(tempDir(), "state");
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

export interface Live {
  dir: string;
  env: Record<string, string>;
  /** Events seen so far on the run's -o json stdout. */
  events: Event[];
  done: Promise<CliResult>;
  child: import("node:child_process").ChildProcess;
  ctl(...args: string[]): Promise<CliResult>;
  /** Waits until an event matches. */
  until(match: (e: Event) => boolean, ms?: number): Promise<Event>;
}

/** Starts `procflow run -o json jobs.yaml ...args` in the background and waits until `ps` lists it. */
export async function startRun(yaml: string, args: string[] = [], state = stateDir()): Promise<Live> {
  const dir = tempDir({ "jobs.yaml": yaml });
  const env = { PROCFLOW_STATE_DIR: state };
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
  });
  const live: Live = {
    dir,
    env,
    events,
    done,
    child,
    ctl: (...a) => cli(["ctl", ...a], { cwd: dir, env }),
    async until(match, ms = 20_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const e = events.find(match);
        if (e) return e;
        if (Date.now() > deadline)
          throw new Error(`no such event; seen:\n${events.map((x) => JSON.stringify(x)).join("\n")}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
  for (let i = 0; i < 200; i++) {
    const ps = await cli(["ps", "--format", "json"], { env });
    if (JSON.parse(ps.stdout).length > 0) return live;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the run never showed up in procflow ps");
}
