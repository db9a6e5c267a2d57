// `npm run bench`: every scenario, each as a ratio against a baseline measured in the same run.
// Usage: node bench/run.mjs [scenario...]   (startup, spawn, output, validate, peers, control, report, cache, watch;
// default all). A ratio is the median of paired runs; "worst" is the highest single pair.
import { fmt } from "./lib.mjs";

const all = ["startup", "spawn", "output", "validate", "peers", "control", "report", "cache", "watch"];
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;
const rows = [];
const started = Date.now();
for (const name of chosen) {
  process.stderr.write(`running ${name}…\n`);
  const { run } = await import(`./${name}.mjs`);
  rows.push(...(await run()));
}

const table = [["scenario", "procflow", "baseline", "ratio", "target", ""]];
for (const r of rows) {
  table.push([
    r.scenario,
    r.subjectMs !== undefined ? `${fmt(r.subjectMs, 0)} ms` : "",
    r.baselineMs !== undefined ? `${fmt(r.baselineMs, 0)} ms (${r.baseline})` : "",
    r.shown ?? (r.ratio !== undefined ? `${fmt(r.ratio)}×${r.worst ? ` (worst ${fmt(r.worst)}×)` : ""}` : ""),
    r.target ?? "",
    r.pass === undefined ? "" : r.pass ? "ok" : "MISSED",
  ]);
}
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
const line = (row) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(line(table[0]));
console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
for (const row of table.slice(1)) console.log(line(row));
console.log(
  `\n${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${(await import("node:os")).cpus().length} CPUs; ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
