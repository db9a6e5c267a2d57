// `procflow report` of a big run: a generated run.json of 1,000 jobs (needs in layers) with 50 MB of
// output, written as HTML, then opened in Chromium: first paint, and the time until the graph of all
// 1,000 jobs is drawn (from navigation start, median of 3).
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CLI, measure, median } from "./lib.mjs";

const JOBS = 1000;
const LINES_PER_JOB = 650; // × ~80 bytes ≈ 52 KB per job, 52 MB in all (the report keeps 50)

function runJson() {
  const names = Array.from({ length: JOBS }, (_, i) => `job-${String(i).padStart(4, "0")}`);
  const needs = Object.fromEntries(
    names.map((n, i) => [
      n,
      i < 50
        ? []
        : [
            { job: names[i - 50], condition: "success" },
            { job: names[(i * 7) % 50], condition: "success" },
          ],
    ]),
  );
  let seq = 0;
  const t0 = 1_700_000_000_000;
  const events = [
    {
      seq: ++seq,
      time: t0,
      type: "run:start",
      runId: "bench",
      file: "/bench/jobs.yaml",
      pid: 1,
      jobs: names,
      mode: "run",
      daemons: [],
      commands: Object.fromEntries(names.map((n) => [n, `make ${n}`])),
      needs,
    },
  ];
  names.forEach((job, i) => {
    const start = t0 + i * 10;
    events.push({
      seq: ++seq,
      time: start,
      type: "job:start",
      job,
      pid: 1000 + i,
      attempt: 1,
      argv: ["make", job],
    });
    for (let l = 0; l < LINES_PER_JOB; l++)
      events.push({
        seq: ++seq,
        time: start + l,
        type: "job:output",
        job,
        stream: "stdout",
        line: `\u001b[32m${job}\u001b[0m line ${l} ${"-".repeat(50)}`,
      });
    events.push({
      seq: ++seq,
      time: start + 700,
      type: "job:exit",
      job,
      pid: 1000 + i,
      attempt: 1,
      exitCode: 0,
      signal: null,
      durationMs: 700,
      state: "succeeded",
    });
  });
  const jobs = Object.fromEntries(names.map((n) => [n, "succeeded"]));
  events.push({
    seq: ++seq,
    time: t0 + 11_000,
    type: "run:end",
    state: "succeeded",
    exitCode: 0,
    durationMs: 11_000,
    jobs,
  });
  return `{"events":[\n${events.map((e) => JSON.stringify(e)).join(",\n")}\n],\n"run":{"state":"succeeded"}}\n`;
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), "procflow-bench-"));
  writeFileSync(join(dir, "run.json"), runJson());
  const html = join(dir, "report.html");
  const write = await measure(["node", CLI, "report", join(dir, "run.json"), "-o", html]);
  const executablePath = [process.env.CHROMIUM, "/usr/bin/chromium"].find((p) => p && existsSync(p));
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
  const paints = [];
  const graphs = [];
  for (let i = 0; i < 3; i++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    await page.goto(`file://${html}`, { waitUntil: "commit" });
    await page
      .locator("g.node")
      .nth(JOBS - 1)
      .waitFor({ timeout: 120_000 });
    const graphMs = await page.evaluate(() => performance.now());
    const paint = await page.evaluate(
      () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime,
    );
    paints.push(paint);
    graphs.push(graphMs);
    await page.close();
  }
  await browser.close();
  const mb = (statSync(join(dir, "run.json")).size / 1e6).toFixed(0);
  const paint = median(paints);
  return [
    {
      scenario: `procflow report, ${JOBS} jobs, run.json ${mb} MB`,
      subjectMs: write.ms,
      shown: `${(statSync(html).size / 1e6).toFixed(0)} MB of HTML`,
    },
    { scenario: "report: first paint in Chromium", subjectMs: paint, target: "< 3 s", pass: paint < 3000 },
    { scenario: "report: graph of 1,000 jobs drawn", subjectMs: median(graphs) },
  ];
}
