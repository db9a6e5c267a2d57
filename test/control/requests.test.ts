// Requests that meet a run in motion: a restart during a stop, a stop during a restart, unmet needs,
// a malformed request, and a keep-alive run with no endpoint at all.

import { readdirSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alive, cli, tempDir, withEvents } from "../rig.js";
import { startRun } from "./live.js";

/** A job whose TERM-ignoring child outlives its stop signal until SIGKILL (after `grace`). */
const stubborn = (extra: string) =>
  `version: 1\njobs:\n  j:\n    command: "trap '' TERM; sleep 50 & echo child $!; exec sleep 51"\n    shell: true\n${extra}`;

describe("requests meeting a run in motion", () => {
  it("a restart while the job's timeout stops it waits for the whole group: never two attempts at once", async () => {
    const run = await startRun(stubborn("    timeout: 300ms\n    kill_timeout: 1s\n"), ["--keep-alive"]);
    const child = Number(
      String((await run.until((e) => String(e.line).startsWith("child"))).line).split(" ")[1],
    );
    await run.until((e) => e.type === "job:stop" && e.reason === "timeout");
    expect((await run.ctl("restart", "j")).code).toBe(0);
    // The new attempt started after the old attempt's child was gone.
    expect(alive(child)).toBe(false);
    const restarts = run.events.filter((e) => e.type === "job:restart");
    expect(restarts.map((e) => [e.attempt, e.reason])).toEqual([[2, "manual"]]);
    expect(run.events.find((e) => e.type === "job:exit")).toMatchObject({ state: "timed_out" });
    await run.ctl("end");
    await run.done;
  });

  it("a stop during a restart wins: the job ends stopped and does not start again", async () => {
    const run = await startRun(stubborn("    daemon: true\n    kill_timeout: 2s\n"), ["--keep-alive"]);
    await run.until((e) => String(e.line).startsWith("child"));
    const restarting = run.ctl("restart", "j");
    await run.until((e) => e.type === "job:stop" && e.reason === "manual");
    expect((await run.ctl("stop", "j")).code).toBe(0);
    await restarting;
    await run.ctl("end");
    const r = withEvents(await run.done, run.dir);
    expect(r.of("job:start", "j")).toHaveLength(1);
    expect(r.of("run:end")[0]).toMatchObject({ exitCode: 0, jobs: { j: "stopped" } });
  });

  it("restart of a running job whose need no longer holds exits 2 naming the need", async () => {
    // a's first attempt succeeds at once; its second (a restart) runs on, so a meets no condition then.
    const run = await startRun(
      `version: 1\njobs:\n  a: { command: 'test "$PROCFLOW_ATTEMPT" = 1 || exec sleep 60', shell: true }\n  w: { command: [sleep, '60'], needs: [a] }\n`,
      ["--keep-alive"],
    );
    await run.until((e) => e.type === "job:start" && e.job === "w");
    expect((await run.ctl("restart", "a")).code).toBe(0);
    const r = await run.ctl("restart", "w");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("w needs a: success, but a is running");
    await run.ctl("end");
    await run.done;
  });

  it("a malformed request gets an answer, and the run goes on", async () => {
    const run = await startRun("version: 1\njobs:\n  d: { command: [sleep, '60'], daemon: true }\n");
    const state = run.env.PROCFLOW_STATE_DIR!;
    const socket = join(state, readdirSync(state).find((f) => f.endsWith(".sock"))!);
    const status = await new Promise<number>((resolve) => {
      request({ socketPath: socket, path: "/api/jobs/%ZZ/logs" }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).end();
    });
    expect(status).toBe(400);
    // A query value that is no whole number, and logs of a matrix job (not of one instance), too.
    const get = (path: string) =>
      new Promise<number>((resolve) => {
        request({ socketPath: socket, path }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        }).end();
      });
    for (const path of [
      "/api/jobs/d/logs?tail=abc",
      "/api/jobs/d/logs?tail=-1",
      "/api/jobs/d/logs?tail=1.5",
      "/api/events?since=abc",
    ])
      expect([path, await get(path)]).toEqual([path, 400]);
    expect(await get("/api/jobs/d/logs?tail=2")).toBe(200);
    const text = await run.ctl("status");
    expect(text.code).toBe(0);
    // The text form has each job's state, pid, attempt (the first too) and duration.
    expect(text.stdout).toMatch(/^d +running +pid \d+ +attempt 1 +\d/m);
    run.child.kill("SIGTERM");
    expect((await run.done).code).toBe(143);
  });

  it("a POST whose body is not JSON, not an object, or has a wrongly typed field is a 400 {error} that does nothing", async () => {
    const run = await startRun("version: 1\njobs:\n  d: { command: [sleep, '60'], daemon: true }\n");
    const state = run.env.PROCFLOW_STATE_DIR!;
    const socket = join(state, readdirSync(state).find((f) => f.endsWith(".sock"))!);
    const post = (path: string, body?: string) =>
      new Promise<{ status: number; body: { error?: string; ok?: boolean } }>((resolve) => {
        request({ socketPath: socket, path, method: "POST" }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (s: string) => (text += s));
          res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        }).end(body);
      });
    const bad: [string, string, RegExp][] = [
      ["/api/jobs/d/restart", "garbage", /not JSON/],
      ["/api/jobs/d/restart", '{"withDependents":"yes"}', /withDependents must be true or false/],
      ["/api/jobs/d/restart", '{"withDependents":1}', /withDependents/],
      ["/api/jobs/d/stop", "[true]", /JSON object/],
      ["/api/jobs/d/start", '"x"', /JSON object/],
      ["/api/end", "garbage", /not JSON/],
      ["/api/end", "null", /JSON object/],
    ];
    for (const [path, body, error] of bad) {
      const answer = await post(path, body);
      expect(answer.status, `${path} ${body}`).toBe(400);
      expect(answer.body.error).toMatch(error);
    }
    // None of them became a command: the daemon runs its first attempt, the run goes on.
    expect(run.of("run:control")).toEqual([]);
    expect(run.of("job:stop")).toEqual([]);
    // What is well formed is still done, with or without a body.
    expect(await post("/api/jobs/d/restart", '{"withDependents":false}')).toMatchObject({ status: 200 });
    await run.until((e) => e.type === "job:start" && e.attempt === 2);
    expect(await post("/api/end")).toMatchObject({ status: 200, body: { ok: true } });
    expect((await run.done).code).toBe(0);
  });
});

describe("keep-alive", () => {
  it("without a control endpoint, waits for a signal after its jobs have ended", async () => {
    const dir = tempDir({ "jobs.yaml": "version: 1\njobs:\n  a: { command: [echo, hi] }\n" });
    let ended = false;
    const done = cli(["run", "jobs.yaml", "-o", "json", "--keep-alive", "--no-control"], {
      cwd: dir,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (ended) return;
          // Well after the job's end the run is still there; then it is interrupted.
          if (Date.now() - started > 1500) {
            ended = true;
            clearInterval(poll);
            child.kill("SIGTERM");
          }
        }, 50);
      },
    });
    const started = Date.now();
    const r = withEvents(await done, dir);
    expect(r.of("job:exit", "a")).toHaveLength(1);
    expect(r.of("run:end")[0]).toMatchObject({ state: "interrupted", exitCode: 143 });
    expect(r.code).toBe(143);
  });
});
