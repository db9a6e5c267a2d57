// Live runs (SPEC §11): the control endpoint, `procflow ps` and `procflow ctl`, driven through the real CLI.
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alive, cli, type Event, processesOfRun, tempDir, withEvents } from "../rig.js";
import { startRun, stateDir } from "./live.js";

const DAEMON = `version: 1
jobs:
  svc:
    command: "trap '' TERM; sleep 300 & echo child $!; echo listening; exec sleep 301"
    shell: true
    daemon: true
    kill_timeout: 500ms
    ready: { log: listening }
  work: { command: [echo, done], needs: [svc] }
  report: { command: [sh, -c, "for i in 1 2 3 4 5 6 7; do echo line $i; done; echo oops >&2"], needs: [work] }
`;

describe("live runs", () => {
  it("ps lists a keep-alive run; ctl status, restart (whole group gone first), logs and end", async () => {
    const run = await startRun(DAEMON, ["--keep-alive"]);
    await run.until((e) => e.type === "job:exit" && e.job === "report");
    const ps = await cli(["ps"], { env: run.env });
    expect(ps.stdout).toContain(join(run.dir, "jobs.yaml"));
    expect(ps.stdout).toContain("keep-alive");

    const status = JSON.parse((await run.ctl("status", "--format", "json")).stdout);
    expect(status.jobs.map((j: { job: string; state: string }) => [j.job, j.state])).toEqual([
      ["svc", "ready"],
      ["work", "succeeded"],
      ["report", "succeeded"],
    ]);

    const first = await run.until((e) => e.type === "job:start" && e.job === "svc");
    const grandchild = Number(
      (await run.until((e) => e.type === "job:output" && String(e.line).startsWith("child")))
        .line!.toString()
        .split(" ")[1],
    );
    expect(alive(grandchild)).toBe(true);
    const restart = await run.ctl("restart", "svc");
    expect(restart.code).toBe(0);
    // ctl returns once the new attempt started; the old group (a TERM-ignoring child) was gone before.
    const second = run.events.find((e) => e.type === "job:start" && e.job === "svc" && e.attempt === 2)!;
    expect(second).toBeDefined();
    expect(second.pid).not.toBe(first.pid);
    expect(alive(grandchild)).toBe(false);
    const svcEvents = run.events
      .filter((e) => e.job === "svc" && e.type !== "job:output" && e.seq <= second.seq)
      .map((e) => `${e.type} ${e.signal ?? ""}`.trim());
    expect(svcEvents).toEqual([
      "job:start",
      "job:ready",
      "job:stop SIGTERM",
      "job:stop SIGKILL",
      "job:exit SIGKILL",
      "job:restart",
      "job:start",
    ]);
    const stop = run.events.find((e) => e.type === "job:stop" && e.job === "svc")!;
    expect(stop.reason).toBe("manual");
    expect(run.events.find((e) => e.type === "run:control")).toMatchObject({
      verb: "restart",
      jobs: ["svc"],
    });

    // logs: the lines of the current attempt only.
    await run.until((e) => e.type === "job:ready" && e.job === "svc" && e.seq > second.seq);
    const svcLogs = (await run.ctl("logs", "svc")).stdout.split("\n").filter(Boolean);
    expect(svcLogs).toEqual([expect.stringMatching(/^child \d+$/), "listening"]);

    const logs = await run.ctl("logs", "-n", "5", "report");
    expect(logs.code).toBe(0);
    expect(logs.stdout.split("\n").filter(Boolean)).toEqual([
      "line 4",
      "line 5",
      "line 6",
      "line 7",
      "! oops",
    ]);

    const end = await run.ctl("end");
    expect(end.code).toBe(0);
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(readdirSync(run.env.PROCFLOW_STATE_DIR!)).toEqual([]);
  });

  it("ctl restart also waits for what left the job's group (setsid) before the new attempt", async () => {
    const run = await startRun(
      `version: 1\njobs:\n  svc:\n    command: "setsid sleep 300 & echo escapee $!; exec sleep 301"\n    shell: true\n    daemon: true\n    kill_timeout: 300ms\n`,
      ["--keep-alive"],
    );
    const line = await run.until((e) => e.type === "job:output" && String(e.line).startsWith("escapee"));
    const escapee = Number(String(line.line).split(" ")[1]);
    expect(alive(escapee)).toBe(true);
    expect((await run.ctl("restart", "svc")).code).toBe(0);
    expect(alive(escapee)).toBe(false);
    await run.ctl("end");
    expect((await run.done).code).toBe(0);
  });

  it("the socket is the user's only; /api/events?since=0 replays the exact -o json events", async () => {
    const run = await startRun(DAEMON, ["--keep-alive"]);
    await run.until((e) => e.type === "job:exit" && e.job === "report");
    const state = run.env.PROCFLOW_STATE_DIR!;
    expect(statSync(state).mode & 0o777).toBe(0o700);
    const socket = readdirSync(state).find((f) => f.endsWith(".sock"))!;
    expect(statSync(join(state, socket)).mode & 0o777).toBe(0o600);
    const record = readdirSync(state).find((f) => f.endsWith(".json"))!;
    expect(statSync(join(state, record)).mode & 0o777).toBe(0o600);

    const sse = await new Promise<string>((resolve) => {
      const req = request({ socketPath: join(state, socket), path: "/api/events?since=0" }, (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (d: string) => {
          text += d;
          // Everything up to now has been replayed once the last event seen on stdout arrived.
          if (text.includes(`id: ${run.events.at(-1)!.seq}\n`)) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.end();
    });
    const replayed = sse
      .split("\n\n")
      .filter((b) => b.startsWith("id: "))
      .map((b) => JSON.parse(b.slice(b.indexOf("data: ") + 6)));
    expect(replayed).toEqual(run.events.slice(0, replayed.length));
    expect(replayed.length).toBe(run.events.length);
    await run.ctl("end");
    await run.done;
  });

  it("ctl stop of a job others wait on: they are skipped (manual stop), the run exits 0", async () => {
    const run = await startRun(
      "version: 1\njobs:\n  slow: { command: [sleep, '30'] }\n  after: { command: [echo, hi], needs: [slow] }\n",
    );
    await run.until((e) => e.type === "job:start" && e.job === "slow");
    expect((await run.ctl("stop", "slow")).code).toBe(0);
    const r = withEvents(await run.done, run.dir);
    expect(r.code).toBe(0);
    expect(r.of("job:stop", "slow")[0]).toMatchObject({ reason: "manual" });
    expect(r.of("job:skip", "after")[0]).toMatchObject({
      cause: "need",
      need: "slow",
      needState: "stopped",
      reason: "needs slow: success, but slow was stopped on request",
    });
    expect(r.of("run:end")[0]).toMatchObject({ state: "succeeded", exitCode: 0 });
  });

  it("ctl start of a job whose need failed exits 2 naming the need; an unknown job exits 2", async () => {
    const run = await startRun(
      "version: 1\njobs:\n  bad: { command: [sh, -c, 'exit 3'] }\n  after: { command: [echo, hi], needs: [bad] }\n  hold: { command: [sleep, '30'] }\n",
      ["--keep-alive"],
    );
    await run.until((e) => e.type === "job:exit" && e.job === "bad");
    const start = await run.ctl("start", "after");
    expect(start.code).toBe(2);
    expect(start.stderr).toContain("after needs bad: success, but bad failed");
    const unknown = await run.ctl("restart", "nope");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no job named "nope"');
    await run.ctl("end");
    const r = withEvents(await run.done, run.dir);
    // Jobs stopped or skipped by `ctl end` do not fail the run; the failed job does.
    expect(r.code).toBe(1);
    expect(r.of("job:skip", "after")[0]).toMatchObject({ cause: "end" });
  });

  it("two runs at once: ctl without --run exits 2 listing both; --run <prefix> picks one", async () => {
    const state = stateDir();
    const yaml = "version: 1\njobs:\n  d: { command: [sleep, '60'], daemon: true }\n";
    const a = await startRun(yaml, [], state);
    const b = await startRun(yaml, [], state);
    const ids = await Promise.all(
      [a, b].map(async (r) => (await r.until((e) => e.type === "run:start")).runId as string),
    );
    const any = await cli(["ctl", "status"], { env: { PROCFLOW_STATE_DIR: state } });
    expect(any.code).toBe(2);
    for (const id of ids) expect(any.stderr).toContain(id);
    const one = await cli(["ctl", "--run", ids[1]!.slice(0, 8), "status", "--format", "json"], {
      env: { PROCFLOW_STATE_DIR: state },
    });
    expect(JSON.parse(one.stdout).run.runId).toBe(ids[1]);
    // From a run's own folder, that run is meant.
    expect(JSON.parse((await a.ctl("status", "--format", "json")).stdout).run.runId).toBe(ids[0]);
    a.child.kill("SIGTERM");
    b.child.kill("SIGTERM");
    await Promise.all([a.done, b.done]);
  });

  it("after SIGKILL of procflow, its socket and record are gone within 2 s and ps never lists it", async () => {
    const run = await startRun("version: 1\njobs:\n  d: { command: [sleep, '60'], daemon: true }\n");
    const runId = (await run.until((e) => e.type === "run:start")).runId as string;
    const state = run.env.PROCFLOW_STATE_DIR!;
    expect(readdirSync(state)).toHaveLength(2);
    run.child.kill("SIGKILL");
    // The watchdog removes them: nothing else looks at the folder here.
    for (let i = 0; i < 40 && readdirSync(state).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(state)).toEqual([]);
    const ps = await cli(["ps", "--format", "json"], { env: run.env });
    expect(JSON.parse(ps.stdout)).toEqual([]);
    expect(processesOfRun(runId)).toEqual([]);
    await run.done;
  });

  it("runs without an endpoint when the state folder is not private, and says why", async () => {
    const state = join(tempDir(), "open");
    mkdirSync(state, { mode: 0o755 });
    chmodSync(state, 0o755);
    const r = await cli(["run", "jobs.yaml", "-o", "quiet"], {
      cwd: tempDir({ "jobs.yaml": "version: 1\njobs:\n  a: { command: [echo, hi] }\n" }),
      env: { PROCFLOW_STATE_DIR: state },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("no control endpoint");
    expect(r.stderr).toContain("chmod 700");
  });
});

/** plan names the keys (the file ks), w is a matrix of them built at run time, fan joins their v results. */
const rebuilt = (command: string) => `version: 1
jobs:
  plan: { command: [sh, -c, 'echo "ks=$(cat ks)" >> "$PROCFLOW_RESULT"'] }
  w:
    needs: [plan]
    matrix: { k: "\${{ fromJSON(needs.plan.result.ks) }}" }
    command: [sh, -c, '${command}']
  fan: { command: [echo, "\${{ join(needs.w.results.*.v, ',') }}"], needs: [w] }
`;

describe("a matrix built at run time, live", () => {
  it("ctl status lists its instances; ctl restart takes an instance name or the job's name", async () => {
    const run = await startRun(
      `version: 1
jobs:
  plan: { command: [sh, -c, 'echo "ks=[\\"a\\",\\"b\\"]" >> "$PROCFLOW_RESULT"'] }
  w:
    needs: [plan]
    matrix: { k: "\${{ fromJSON(needs.plan.result.ks) }}" }
    command: [echo, "\${{ matrix.k }}"]
`,
      ["--keep-alive"],
    );
    await run.until((e) => e.type === "job:exit" && e.job === "w[k=b]");
    await run.until((e) => e.type === "job:exit" && e.job === "w[k=a]");
    const status = JSON.parse((await run.ctl("status", "--format", "json")).stdout);
    expect(status.jobs.map((j: { job: string }) => j.job)).toEqual(["plan", "w[k=a]", "w[k=b]"]);
    expect((await run.ctl("restart", "w[k=b]")).code).toBe(0);
    await run.until((e) => e.type === "job:start" && e.job === "w[k=b]" && e.attempt === 2);
    expect((await run.ctl("restart", "w")).code).toBe(0);
    await run.until((e) => e.type === "job:start" && e.job === "w[k=a]" && e.attempt === 2);
    await run.ctl("end");
    expect((await run.done).code).toBe(0);
  });

  it("built again while its instances run or wait for a slot: they stop and go, nothing is skipped", async () => {
    const run = await startRun(rebuilt("sleep 30"), ["-c", "1"], undefined, { ks: '["a","b"]' });
    const first = await run.until((e) => e.type === "job:start" && e.job === "w[k=a]");
    writeFileSync(join(run.dir, "ks"), '["c"]');
    expect((await run.ctl("restart", "--with-dependents", "plan")).code).toBe(0);
    await run.until((e) => e.type === "job:start" && e.job === "w[k=c]");
    // w[k=a] was stopped, w[k=b] (queued behind it) never started; fan still waits for w[k=c].
    expect(alive(first.pid as number)).toBe(false);
    expect(run.of("job:start", "w[k=b]")).toEqual([]);
    expect(run.of("job:skip")).toEqual([]);
    await run.ctl("end");
    const done = await run.done;
    expect(done.code).toBe(0);
    expect(Object.keys(run.of("run:end")[0]!.jobs as object).sort()).toEqual(["fan", "plan", "w[k=c]"]);
  });

  it("is built again when what it reads restarts: new instances, and its fan-in waits for them", async () => {
    const run = await startRun(
      rebuilt('sleep 0.2; echo "v=$PROCFLOW_MATRIX_K" >> "$PROCFLOW_RESULT"'),
      ["--keep-alive"],
      undefined,
      { ks: '["a","b"]' },
    );
    const fanExit = (n: number) => (e: Event) => e.type === "job:exit" && e.job === "fan" && e.attempt === n;
    await run.until(fanExit(1));
    writeFileSync(join(run.dir, "ks"), '["b","c","d"]');
    expect((await run.ctl("restart", "--with-dependents", "plan")).code).toBe(0);
    const second = await run.until(fanExit(2));
    expect(run.of("job:matrix").map((e) => e.instances)).toEqual([
      ["w[k=a]", "w[k=b]"],
      ["w[k=b]", "w[k=c]", "w[k=d]"],
    ]);
    // The fan-in ran once every new instance had ended, with their results only.
    expect(run.of("job:output", "fan").map((e) => e.line)).toEqual(["a,b", "b,c,d"]);
    expect(second.seq).toBeGreaterThan(run.of("job:exit", "w[k=d]")[0]!.seq as number);
    const status = JSON.parse((await run.ctl("status", "--format", "json")).stdout);
    expect(status.jobs.map((j: { job: string }) => j.job)).toEqual([
      "plan",
      "fan",
      "w[k=b]",
      "w[k=c]",
      "w[k=d]",
    ]);
    await run.ctl("end");
    expect((await run.done).code).toBe(0);
    const ended = run.of("run:end")[0]!.jobs as Record<string, string>;
    expect(Object.keys(ended).sort()).toEqual(["fan", "plan", "w[k=b]", "w[k=c]", "w[k=d]"]);
  });
});
