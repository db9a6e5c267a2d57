// A restart on request: from `POST /api/jobs/<job>/restart` on the run's socket to its answer (sent
// once the new attempt started), minus the old attempt's stop time (job:stop → job:exit). Target
// (SPEC §11 / issue 15): ≤ 100 ms on top of the stop. Also the whole `procflow ctl restart` command.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, fmt, measure, median } from "./lib.mjs";

const ROUNDS = 15;

function post(socket, path) {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: "POST", path }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", reject);
    req.end("{}");
  });
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), "procflow-bench-"));
  const state = join(dir, "state");
  mkdirSync(state, { mode: 0o700 });
  writeFileSync(
    join(dir, "jobs.yaml"),
    "version: 1\njobs:\n  svc: { command: [sleep, '300'], daemon: true }\n",
  );
  const events = [];
  const child = spawn(process.execPath, [CLI, "run", "-o", "json", "--keep-alive", "jobs.yaml"], {
    cwd: dir,
    env: { ...process.env, PROCFLOW_STATE_DIR: state },
    stdio: ["ignore", "pipe", "ignore"],
  });
  let buffer = "";
  child.stdout.setEncoding("utf8").on("data", (text) => {
    buffer += text;
    const lines = buffer.split("\n");
    buffer = lines.pop();
    for (const l of lines) if (l) events.push(JSON.parse(l));
  });
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const sockets = () => readdirSync(state).filter((f) => f.endsWith(".sock"));
  while (sockets().length === 0) await sleep(20);
  const socket = join(state, sockets()[0]);
  while (!events.some((e) => e.type === "job:start")) await sleep(20);

  const overhead = [];
  for (let i = 0; i < ROUNDS; i++) {
    const from = events.length;
    const t0 = performance.now();
    const status = await post(socket, "/api/jobs/svc/restart");
    const took = performance.now() - t0;
    if (status !== 200) throw new Error(`restart answered ${status}`);
    // The answer may come before procflow's stdout has been read here.
    while (!events.slice(from).some((e) => e.type === "job:start")) await sleep(5);
    const mine = events.slice(from);
    const stop = mine.find((e) => e.type === "job:stop");
    const exit = mine.find((e) => e.type === "job:exit");
    overhead.push(took - (exit.time - stop.time));
  }
  const cli = [];
  for (let i = 0; i < 5; i++)
    cli.push(
      (
        await measure([process.execPath, CLI, "ctl", "restart", "svc"], {
          cwd: dir,
          env: { PROCFLOW_STATE_DIR: state },
        })
      ).ms,
    );
  await post(socket, "/api/end");
  await new Promise((r) => child.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
  const ms = median(overhead);
  return [
    {
      scenario: `ctl restart: request → new attempt started, minus the stop (median of ${ROUNDS})`,
      subjectMs: ms,
      shown: `${fmt(ms, 1)} ms`,
      target: "≤ 100 ms",
      pass: ms <= 100,
    },
    {
      scenario: "procflow ctl restart (the whole command, Node start-up included)",
      subjectMs: median(cli),
      shown: "",
    },
  ];
}
