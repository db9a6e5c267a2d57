// Readiness probes, health checks and restarts (SPEC §4), with real servers on loopback.
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { endStates, FIXTURES, runJobs } from "../rig.js";

const SERVER = join(FIXTURES, "bin/server.mjs");

/** A port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The dependent `client` started only after `svc` was ready. */
async function gated(ready: string, svcArgs = "--listen-after 300", port?: number) {
  const p = port ?? (await freePort());
  const r = await runJobs(`version: 1
jobs:
  svc:
    command: node ${SERVER} ${p} ${svcArgs}
    daemon: true
    ready: ${ready.replaceAll("PORT", String(p))}
  client: { command: echo client, needs: [svc] }
`);
  return r;
}

describe("ready probes", () => {
  for (const [kind, ready] of [
    ["log", '{ log: "^listening on \\\\d+$" }'],
    ["tcp", "{ tcp: PORT, interval: 50ms }"],
    ["tcp host:port", '{ tcp: "127.0.0.1:PORT", interval: 50ms }'],
    ["http", "{ http: http://127.0.0.1:PORT/, interval: 50ms }"],
    [
      "command",
      `{ command: [node, -e, "fetch('http://127.0.0.1:PORT/').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"], interval: 100ms }`,
    ],
  ]) {
    it(`${kind}: the dependent starts only once the service is ready`, async () => {
      const r = await gated(ready!);
      expect(r.code).toBe(0);
      expect(r.of("job:ready", "svc")).toHaveLength(1);
      // The server listens 300 ms after it starts: no probe may pass before.
      const startedAt = r.of("job:start", "svc")[0]!.time as number;
      expect((r.of("job:ready", "svc")[0]!.time as number) - startedAt).toBeGreaterThanOrEqual(290);
      if (kind === "log") {
        const listening = r.events.find((e) => e.job === "svc" && String(e.line).startsWith("listening"))!;
        expect(r.seqOf("job:ready", "svc")).toBeGreaterThan(listening.seq as number);
      }
      expect(r.seqOf("job:ready", "svc")).toBeLessThan(r.seqOf("job:start", "client"));
      expect(endStates(r)).toEqual({ svc: "stopped", client: "succeeded" });
    });
  }

  it("http: a non-2xx answer is not ready", async () => {
    const r = await gated("{ http: http://127.0.0.1:PORT/, interval: 50ms }", "--fail-until 600");
    const start = r.of("job:start", "svc")[0]!.time as number;
    expect((r.of("job:ready", "svc")[0]!.time as number) - start).toBeGreaterThanOrEqual(550);
  });

  it("delay: ready that long after the start", async () => {
    const r = await gated("{ delay: 400ms }", "");
    const start = r.of("job:start", "svc")[0]!.time as number;
    expect((r.of("job:ready", "svc")[0]!.time as number) - start).toBeGreaterThanOrEqual(390);
  });

  it("a ready probe that times out fails the job, stops it and skips what needs it", async () => {
    const r = await gated("{ tcp: PORT, timeout: 500ms, interval: 50ms }", "--listen-after 60000");
    expect(r.code).toBe(1);
    expect(r.of("job:stop", "svc")[0]).toMatchObject({ reason: "ready-timeout", signal: "SIGTERM" });
    expect(r.of("job:exit", "svc")[0]!.error).toMatch(
      /^not ready after 500ms \(last check: tcp 127\.0\.0\.1:\d+: ECONNREFUSED\)$/,
    );
    expect(r.of("job:skip", "client")[0]!.reason).toBe(
      "needs svc: ready, but svc failed before it was ready",
    );
    expect(endStates(r)).toEqual({ svc: "failed", client: "skipped" });
  });

  it("a log regex that backtracks exponentially on a line neither freezes the run nor its timers", async () => {
    // Before: `(a+)+$` on 50 `a`s and a `b` ran for ~90 s on the event loop (no timeout, no Ctrl-C).
    const bad = "console.log('a'.repeat(50) + 'b')";
    const r = await runJobs(`version: 1
jobs:
  stuck:
    command: [node, -e, "${bad}; setInterval(() => {}, 1000)"]
    daemon: true
    ready: { log: "(a+)+$", timeout: 2s }
  late:
    command: [node, -e, "${bad}; setTimeout(() => console.log('aaa'), 300); setInterval(() => {}, 1000)"]
    daemon: true
    ready: { log: "(a+)+$", timeout: 30s }
  client: { command: echo client, needs: [late] }
  waiter: { command: echo waiter, needs: [stuck] }
`);
    expect(r.of("job:exit", "stuck")[0]!.error).toBe("not ready after 2s (ready probe: log /(a+)+$/)");
    const aaa = r.events.find((e) => e.job === "late" && e.line === "aaa")!;
    expect(r.seqOf("job:ready", "late")).toBeGreaterThan(aaa.seq);
    expect(endStates(r)).toEqual({
      stuck: "failed",
      late: "stopped",
      client: "succeeded",
      waiter: "skipped",
    });
    expect(r.of("run:end")[0]!.durationMs).toBeLessThan(20_000);
  });

  it("a log pattern that is no usable regex once substituted fails its job, not procflow", async () => {
    const r = await runJobs(`version: 1
env: { PATTERN: "([a" }
jobs:
  svc:
    command: [node, -e, "setInterval(() => {}, 1000)"]
    daemon: true
    ready: { log: "\${{ env.PATTERN }}" }
  client: { command: echo client, needs: [svc] }
`);
    expect(r.code).toBe(1);
    expect(r.of("job:exit", "svc")[0]!.error).toBe(
      "log probe /([a/: invalid regular expression: Unterminated character class",
    );
    expect(endStates(r)).toEqual({ svc: "failed", client: "skipped" });
  });

  it("a job that waits for `started` does not wait for readiness", async () => {
    const p = await freePort();
    const r = await runJobs(`version: 1
jobs:
  svc: { command: node ${SERVER} ${p} --listen-after 500, daemon: true, ready: { tcp: ${p}, interval: 50ms } }
  early: { command: echo early, needs: { svc: started } }
  late: { command: echo late, needs: [svc] }
`);
    expect(r.seqOf("job:start", "early")).toBeLessThan(r.seqOf("job:ready", "svc"));
    expect(r.seqOf("job:start", "late")).toBeGreaterThan(r.seqOf("job:ready", "svc"));
  });
});

describe("health checks and restarts", () => {
  it("a failing health check stops the job after `retries` failures; restart brings it back", async () => {
    const p = await freePort();
    const r = await runJobs(`version: 1
jobs:
  svc:
    command: node ${SERVER} ${p} --stop-after 400
    daemon: true
    ready: { tcp: ${p}, interval: 50ms }
    health: { tcp: ${p}, interval: 100ms, retries: 2 }
    restart: on-failure
    max_restarts: 1
    restart_delay: 100ms
    kill_timeout: 1s
  work: { command: [sleep, "3"], needs: [svc] }
`);
    const health = r.of("job:health", "svc");
    expect(health[0]).toMatchObject({ ok: false });
    expect(health[0]!.message).toMatch(/^tcp 127\.0\.0\.1:\d+: ECONNREFUSED$/);
    const stops = r.of("job:stop", "svc").map((e) => e.reason);
    expect(stops[0]).toBe("health");
    const exits = r.of("job:exit", "svc");
    expect(exits[0]).toMatchObject({ attempt: 1, state: "failed" });
    expect(exits[0]!.error).toMatch(/^health check failed 2 times in a row: /);
    expect(r.of("job:restart", "svc")).toEqual([expect.objectContaining({ attempt: 2, delayMs: 100 })]);
    expect(r.of("job:start", "svc").map((e) => e.attempt)).toEqual([1, 2]);
  });

  it("a command check says why it failed, and one that hangs is killed with what it started", async () => {
    // `work` runs while both daemons are checked: it passes only if the hung check's background
    // child is killed at the check's timeout, long before the run ends and cleans up.
    const r = await runJobs(`version: 1
jobs:
  hung:
    command: [sleep, "30"]
    daemon: true
    health:
      command: [sh, -c, 'sleep 300 & echo $! >> grandchild; sleep 300']
      timeout: 300ms
      interval: 100ms
      retries: 1000
  db:
    command: [sleep, "30"]
    daemon: true
    health: { command: [sh, -c, "echo starting; echo 'db is down' >&2; exit 2"], interval: 100ms, retries: 1000 }
  work:
    needs: { hung: started, db: started }
    command:
      - sh
      - -c
      - |
        while [ ! -s grandchild ]; do sleep 0.05; done
        pid=$(head -n 1 grandchild)
        for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
        echo "the check's child $pid outlived the check" >&2; exit 1
`);
    expect(endStates(r)).toEqual({ hung: "stopped", db: "stopped", work: "succeeded" });
    expect(r.of("job:health", "hung")[0]!.message).toMatch(/: no answer in 300 ms$/);
    expect(r.of("job:health", "db")[0]!.message).toBe(
      `command sh -c echo starting; echo 'db is down' >&2; exit 2: exit 2 (db is down)`,
    );
  });

  it("restarts with a doubling delay up to max_restarts, PROCFLOW_ATTEMPT counting up", async () => {
    const r = await runJobs(`version: 1
jobs:
  flaky:
    command: [sh, -c, 'echo "attempt $PROCFLOW_ATTEMPT"; exit 1']
    restart: on-failure
    max_restarts: 3
    restart_delay: 50ms
`);
    expect(r.code).toBe(1);
    expect(r.of("job:restart", "flaky").map((e) => [e.attempt, e.delayMs])).toEqual([
      [2, 50],
      [3, 100],
      [4, 200],
    ]);
    expect(r.lines("flaky")).toEqual(["attempt 1", "attempt 2", "attempt 3", "attempt 4"]);
    expect(r.of("job:exit", "flaky")).toHaveLength(4);
    expect(endStates(r)).toEqual({ flaky: "failed" });
  });

  it("restart: always restarts a job that succeeded; a success on a later attempt succeeds", async () => {
    const r = await runJobs(`version: 1
jobs:
  again: { command: "true", restart: always, max_restarts: 2, restart_delay: 10ms }
  third: { command: [sh, -c, '[ "$PROCFLOW_ATTEMPT" = 3 ]'], restart: on-failure, restart_delay: 10ms }
`);
    expect(r.code).toBe(0);
    expect(r.of("job:exit", "again")).toHaveLength(3);
    expect(r.of("job:exit", "third").map((e) => e.state)).toEqual(["failed", "failed", "succeeded"]);
  });

  it("a daemon that exits early is restarted by on-failure even with exit code 0", async () => {
    const r = await runJobs(`version: 1
jobs:
  svc: { command: [sh, -c, "sleep 0.2"], daemon: true, restart: on-failure, restart_delay: 50ms, max_restarts: 10 }
  work: { command: [sleep, "1"], needs: { svc: started } }
`);
    expect(r.code).toBe(0);
    expect(r.of("job:restart", "svc").length).toBeGreaterThanOrEqual(2);
    expect(endStates(r)).toEqual({ svc: "stopped", work: "succeeded" });
  });

  it("exits promptly after the last job: no probe timer keeps the run alive", async () => {
    const p = await freePort();
    const r = await runJobs(`version: 1
jobs:
  svc:
    command: node ${SERVER} ${p}
    daemon: true
    ready: { http: "http://127.0.0.1:${p}/", timeout: 10m }
    health: { http: "http://127.0.0.1:${p}/", interval: 10m }
  work: { command: echo done, needs: [svc], timeout: 10m }
`);
    expect(r.code).toBe(0);
    expect(r.of("run:end")[0]!.durationMs as number).toBeLessThan(10_000);
  });
});
