// Start-up: a cold `procflow run` of a one-job file against Node's own start-up plus one bare spawn of
// the same job; the same run with its control endpoint on and off; a cold `procflow validate` of a
// small file against `node -e 0`.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateJobFile } from "./gen.mjs";
import { CLI, measure, paired, ROOT } from "./lib.mjs";

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), "procflow-bench-"));
  const one = join(dir, "one.yaml");
  writeFileSync(one, 'version: 1\njobs:\n  one: { command: ["true"] }\n');
  writeFileSync(join(dir, "small.yaml"), generateJobFile(5));
  const cold = await paired(
    () => measure(["node", CLI, "run", "-o", "quiet", one]),
    () => measure(["node", `${ROOT}bench/baselines/spawn-once.cjs`]),
    21,
  );
  const control = await paired(
    () => measure(["node", CLI, "run", "-o", "quiet", one]),
    () => measure(["node", CLI, "run", "-o", "quiet", "--no-control", one]),
    21,
  );
  const validate = await paired(
    () => measure(["node", CLI, "validate", join(dir, "small.yaml")]),
    () => measure(["node", "-e", "0"]),
    21,
  );
  return [
    {
      scenario: "cold `procflow run -o quiet` of one `true` job",
      baseline: "node start-up + one bare spawn",
      ...cold,
      target: "≤ 1.4×",
      pass: cold.ratio <= 1.4,
    },
    {
      scenario: "the same, control endpoint on vs `--no-control`",
      baseline: "--no-control",
      ...control,
      target: "≤ 1.03×",
      pass: control.ratio <= 1.03,
    },
    {
      scenario: "cold `procflow validate small.yaml`",
      baseline: "node -e 0",
      ...validate,
      target: "≤ 1.5×",
      pass: validate.ratio <= 1.5,
    },
  ];
}
