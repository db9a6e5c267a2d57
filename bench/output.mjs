// Output throughput: 150 MB of short lines from one job through `-o lines` into /dev/null, as a share
// of a raw Node pipe read of the same generator; procflow's peak RSS, also with one 30 MB line.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, measure, paired, ROOT } from "./lib.mjs";

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), "procflow-bench-"));
  const gen = `${ROOT}bench/baselines/output.mjs`;
  writeFileSync(join(dir, "output.yaml"), `version: 1\njobs:\n  out: { command: [node, "${gen}", "150"] }\n`);
  writeFileSync(
    join(dir, "single.yaml"),
    `version: 1\njobs:\n  out: { command: [node, "${gen}", "30", single] }\n`,
  );
  let peak = 0;
  const r = await paired(
    async () => {
      const m = await measure(["node", CLI, "run", join(dir, "output.yaml"), "-o", "lines"], { rss: true });
      peak = Math.max(peak, m.peakRssKiB);
      return m;
    },
    () => measure(["node", `${ROOT}bench/baselines/pipe-read.mjs`, "node", gen, "150"]),
    3,
  );
  const single = await measure(["node", CLI, "run", join(dir, "single.yaml"), "-o", "lines"], { rss: true });
  const share = 1 / r.ratio;
  return [
    {
      scenario: "output: 150 MB of short lines, -o lines",
      baseline: "raw Node pipe read",
      ...r,
      shown: `${(share * 100).toFixed(0)} % of raw`,
      target: "≥ 35 %",
      pass: share >= 0.35,
    },
    {
      scenario: "peak RSS, 150 MB of output",
      shown: `${(peak / 1024).toFixed(0)} MB`,
      target: "< 120 MB",
      pass: peak / 1024 < 120,
    },
    {
      scenario: "peak RSS, one 30 MB line",
      shown: `${(single.peakRssKiB / 1024).toFixed(0)} MB`,
      target: "< 250 MB",
      pass: single.peakRssKiB / 1024 < 250,
    },
  ];
}
