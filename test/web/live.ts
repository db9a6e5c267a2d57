// Helpers of the web view tests: a live run in the background (its -o json events, its stderr, the
// `ui:` URL and token it printed), and plain HTTP requests to the page's server.
import { chmodSync, mkdirSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { type CliResult, cli, type Event, tempDir } from "../rig.js";

export interface UiRun {
  dir: string;
  env: { PROCFLOW_STATE_DIR: string };
  events: Event[];
  stderr: () => string;
  done: Promise<CliResult>;
  /** Waits until an event matches. */
  until(match: (e: Event) => boolean, ms?: number): Promise<Event>;
}

/** A private state folder, so that the runs of other tests are not listed. */
export function stateDir(): string {
  const dir = join(tempDir(), "state");
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** Starts `procflow run jobs.yaml -o json ...args` in the background. */
export function startRun(yaml: string, args: string[], files: Record<string, string> = {}): UiRun {
  const dir = tempDir({ "jobs.yaml": yaml, ...files });
  const env: { PROCFLOW_STATE_DIR: string } = { PROCFLOW_STATE_DIR: stateDir() };
  const events: Event[] = [];
  let out = "";
  let err = "";
  const done = cli(["run", "jobs.yaml", "-o", "json", ...args], {
    cwd: dir,
    env,
    onSpawn: (child) => child.stderr?.on("data", (s: string) => (err += s)),
    onStdout: (text) => {
      out += text;
      const lines = out.split("\n");
      out = lines.pop()!;
      for (const l of lines) if (l.trim()) events.push(JSON.parse(l) as Event);
    },
  });
  return {
    dir,
    env,
    events,
    stderr: () => err,
    done,
    until: (match, ms) => waitFor(() => events.find(match), ms),
  };
}

/** Polls `get` until it returns something, up to `ms`. */
export async function waitFor<T>(get: () => T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The `ui: http://127.0.0.1:PORT/#token` line of a stderr, once it is there. */
export async function uiLine(stderr: () => string): Promise<{ url: string; port: number; token: string }> {
  const m = await waitFor(() => /ui: (http:\/\/127\.0\.0\.1:(\d+)\/)#(\S+)/.exec(stderr()) ?? undefined);
  return { url: m[1]!, port: Number(m[2]), token: m[3]! };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request; `host` connects elsewhere than 127.0.0.1 (to prove it is refused). */
export function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  opts: { method?: string; host?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: opts.host ?? "127.0.0.1", port, path, method: opts.method ?? "GET", headers },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (s: string) => (body += s));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}
