// Per-job overhead: 1,000 independent `true` jobs at -c 4, and a chain of 200, against bare Node
// spawn loops measured in the same run; the fan-out with the control endpoint on against
// `--no-control`; peak RSS of a run of 10,000 short jobs.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, measure, paired, ROOT, ratioRow } from "./lib.mjs";

export function jobFile(n, chain) {
  let y = `version: 1\nconcurrency: 4\njobs:\n`;
  for (let i = 0; i < n; i++)
    y += `  j${i}: { command: "true"${chain && i > 0 ? `, needs: [j${i - 1}]` : ""} }\n`;
  return y;
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), "procflow-bench-"));
  writeFileSync(join(dir, "fanout.yaml"), jobFile(1000, false));
  writeFileSync(join(dir, "chain.yaml"), jobFile(200, true));
  const loop = `${ROOT}bench/baselines/spawn-loop.mjs`;
  const execaLoop = `${ROOT}bench/baselines/execa-loop.mjs`;
  // 7 pairs: a pair takes a few seconds, and single runs swing by 10 % here.
  const fan = await paired(
    () => measure(["node", CLI, "run", join(dir, "fanout.yaml"), "-o", "lines"]),
    () => measure(["node", loop, "1000", "4"]),
    7,
  );
  const chain = await paired(
    () => measure(["node", CLI, "run", join(dir, "chain.yaml"), "-o", "lines"]),
    () => measure(["node", loop, "200", "1"]),
    7,
  );
  const control = await paired(
    () => measure(["node", CLI, "run", join(dir, "fanout.yaml"), "-o", "lines"]),
    () => measure(["node", CLI, "run", join(dir, "fanout.yaml"), "-o", "lines", "--no-control"]),
  );
  writeFileSync(join(dir, "10k.yaml"), jobFile(10000, false));
  const big = await measure(["node", CLI, "run", join(dir, "10k.yaml"), "-o", "lines"], { rss: true });
  // Why jobs are not spawned through execa (src/run/spawn.ts): the same loop through it, lean options.
  const execaFan = await paired(
    () => measure(["node", execaLoop, "1000", "4"]),
    () => measure(["node", loop, "1000", "4"]),
  );
  return [
    ratioRow("fan-out: 1,000 `true` jobs, -c 4", "bare Node spawn loop", fan, 1.3),
    ratioRow("chain: 200 `true` jobs in a line", "bare sequential Node spawn", chain, 1.3),
    ratioRow("the fan-out, control endpoint on vs `--no-control`", "--no-control", control, 1.03),
    {
      scenario: "peak RSS, 10,000 `true` jobs, -c 4",
      subjectMs: big.ms,
      shown: `${(big.peakRssKiB / 1024).toFixed(0)} MB`,
      target: "< 150 MB",
      pass: big.peakRssKiB / 1024 < 150,
    },
    { scenario: "reference: a loop spawning through execa", baseline: "bare Node spawn loop", ...execaFan },
  ];
}
