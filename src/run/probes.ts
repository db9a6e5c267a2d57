// Probe checks: one attempt of a tcp, http or command check (log patterns: load/log-pattern.ts).
// No busy loops: the caller schedules attempts with timers it clears.
import { connect } from "node:net";
import type { ProbeCheck } from "../graph/types.js";
import { runCommand } from "./process/spawn.js";

export interface CheckResult {
  readonly ok: boolean;
  readonly message: string;
}

/** Runs one check of a tcp/http/command probe, within `timeoutMs`. */
export function checkOnce(
  check: Exclude<ProbeCheck, { kind: "log" } | { kind: "delay" }>,
  timeoutMs: number,
  cwd: string,
  env: Readonly<Record<string, string>>,
): Promise<CheckResult> {
  switch (check.kind) {
    case "tcp":
      return tcp(check.host, check.port, timeoutMs);
    case "http":
      return http(check.url, timeoutMs);
    case "command":
      return command(check.argv, timeoutMs, cwd, env);
  }
}

function tcp(host: string, port: string, timeoutMs: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const n = Number(port);
    if (!Number.isInteger(n) || n <= 0 || n > 65535)
      return resolve({ ok: false, message: `tcp ${host}:${port}: not a port` });
    const socket = connect({ host, port: n });
    const done = (r: CheckResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => done({ ok: false, message: `tcp ${host}:${port}: no answer in ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once("connect", () => done({ ok: true, message: `tcp ${host}:${port}: connected` }));
    socket.once("error", (e: NodeJS.ErrnoException) =>
      done({ ok: false, message: `tcp ${host}:${port}: ${e.code ?? e.message}` }),
    );
  });
}

async function http(url: string, timeoutMs: number): Promise<CheckResult> {
  // Loaded on first use: https pulls in tls, which every run would otherwise pay for at start-up.
  const { request } = url.startsWith("https:") ? await import("node:https") : await import("node:http");
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: CheckResult) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    let req: ReturnType<typeof request>;
    try {
      req = request(url, { method: "GET", timeout: timeoutMs }, (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        done({ ok: code >= 200 && code < 300, message: `http ${url}: ${code}` });
      });
    } catch (e) {
      return done({ ok: false, message: `http ${url}: ${(e as Error).message}` });
    }
    req.once("timeout", () => {
      req.destroy();
      done({ ok: false, message: `http ${url}: no answer in ${timeoutMs} ms` });
    });
    req.once("error", (e: NodeJS.ErrnoException) =>
      done({ ok: false, message: `http ${url}: ${e.code ?? e.message}` }),
    );
    req.end();
  });
}

async function command(
  argv: readonly string[],
  timeoutMs: number,
  cwd: string,
  env: Readonly<Record<string, string>>,
): Promise<CheckResult> {
  const r = await runCommand({ argv, cwd, env }, timeoutMs);
  const what = `command ${argv.join(" ")}`;
  if (r.error) return { ok: false, message: `${what}: ${r.error}` };
  if (r.timedOut) return { ok: false, message: `${what}: no answer in ${timeoutMs} ms` };
  if (r.exitCode === 0) return { ok: true, message: `${what}: exit 0` };
  const how = r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`;
  return { ok: false, message: `${what}: ${how}${r.lastLine ? ` (${r.lastLine})` : ""}` };
}
