// Start-up: a cold `procflow run` of a one-job file against Node's own start-up plus one bare spawn of
// the same job; the same run with its control endpoint on and off; a cold `procflow validate` of a
// small file against `node -e 0`.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateJobFile } from "./gen.mjs";
import { CLI, measure, paired, ROOT, ratioRow } from "./lib.mjs";

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
    ratioRow("cold `procflow run -o quiet` of one `true` job", "node start-up + one bare spawn", cold, 1.4),
    ratioRow("the same, control endpoint on vs `--no-control`", "--no-control", control, 1.03),
    ratioRow("cold `procflow validate small.yaml`", "node -e 0", validate, 1.5),
  ];
}
