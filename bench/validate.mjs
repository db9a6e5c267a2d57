// Validation: generated files of 1k/10k/20k jobs against a bare `yaml` parseDocument of the same
// text, timed the same way in the same process; and a cold `procflow validate` against `node -e 0`.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { loadText } from "../dist/load/index.js";
import { generateJobFile } from "./gen.mjs";
import { CLI, measure, median, paired } from "./lib.mjs";

function time(fn) {
  const t = performance.now();
  fn();
  return { ms: performance.now() - t };
}

export async function run() {
  const rows = [];
  const perJob = [];
  for (const n of [1000, 10000, 20000]) {
    const text = generateJobFile(n);
    const r = await paired(
      async () =>
        time(() => {
          if (!loadText(text, "bench.yaml").graph) throw new Error("generated file is invalid");
        }),
      async () => time(() => parseDocument(text, { uniqueKeys: false })),
      5,
    );
    perJob.push(r.subjectMs / n);
    rows.push({
      scenario: `validate ${n.toLocaleString("en-US")} jobs`,
      baseline: "bare yaml parseDocument (uniqueKeys off)",
      ...r,
      target: n === 10000 ? "≤ 1.5×" : "",
      pass: n === 10000 ? r.ratio <= 1.5 : undefined,
    });
  }
  const growth = perJob[2] / perJob[0];
  rows.push({
    scenario: "validation growth, 1k → 20k jobs",
    shown: `${growth.toFixed(2)}× time per job`,
    target: "linear (≈ 1×)",
    pass: growth < 1.5,
  });
  const dir = mkdtempSync(join(tmpdir(), "procflow-bench-"));
  writeFileSync(join(dir, "small.yaml"), generateJobFile(5));
  const cold = await paired(
    () => measure(["node", CLI, "validate", join(dir, "small.yaml")]),
    () => measure(["node", "-e", "0"]),
    9,
  );
  rows.push({
    scenario: "cold `procflow validate small.yaml`",
    baseline: "node -e 0",
    ...cold,
    target: "≤ 2×",
    pass: cold.ratio <= 2,
  });
  void median;
  return rows;
}
