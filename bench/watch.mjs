// Watch mode (SPEC §12): from the last write of a watched file to the start of the job's new process,
// over 20 changes of a running daemon; the target is the quiet period + the old attempt's stop + 100 ms.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, median } from "./lib.mjs";

const CHANGES = 20;
const DEBOUNCE_MS = 200;

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), "procflow-bench-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "a.js"), "0");
  writeFileSync(
    join(dir, "watch.yaml"),
    `version: 1\njobs:\n  api:\n    command: [sleep, "300"]\n    daemon: true\n    watch: [src/**/*.js]\n`,
  );
  const child = spawn("node", [CLI, "run", "watch.yaml", "--watch", "--no-control", "-o", "json"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, CI: "1" },
  });
  const events = [];
  let buffer = "";
  child.stdout.setEncoding("utf8").on("data", (s) => {
    buffer += s;
    const lines = buffer.split("\n");
    buffer = lines.pop();
    for (const l of lines) if (l) events.push(JSON.parse(l));
  });
  const until = async (match) => {
    for (;;) {
      const e = events.find(match);
      if (e) return e;
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const start = (attempt) => (e) => e.type === "job:start" && e.attempt === attempt;
  await until(start(1));
  const latencies = [];
  const stops = [];
  for (let i = 0; i < CHANGES; i++) {
    // Three writes in a burst, as an editor's save often is; measured from the last one.
    for (let w = 0; w < 3; w++) writeFileSync(join(dir, "src", "a.js"), `${i}.${w}`);
    const wrote = Date.now();
    const started = await until(start(i + 2));
    latencies.push(started.time - wrote);
    const stop = events.find((e) => e.type === "job:stop" && e.time >= wrote);
    const exit = events.find((e) => e.type === "job:exit" && e.attempt === i + 1);
    stops.push(exit.time - stop.time);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGINT");
  await new Promise((r) => child.on("close", r));
  const ms = median(latencies);
  const stopMs = median(stops);
  return [
    {
      scenario: `watch: last write → new process (median of ${CHANGES})`,
      subjectMs: ms,
      baselineMs: DEBOUNCE_MS + stopMs,
      baseline: "debounce + stop",
      shown: `+${(ms - DEBOUNCE_MS - stopMs).toFixed(0)} ms`,
      target: "≤ +100 ms",
      pass: ms <= DEBOUNCE_MS + stopMs + 100,
    },
  ];
}
