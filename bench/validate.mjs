// Validation: generated files of 1k/10k/20k jobs checked as `procflow validate` checks them (no graph
// is built) against a bare `yaml` parseDocument of the same text, timed the same way in the same
// process (the cold `procflow validate` is in startup.mjs).
import { parseDocument } from "yaml";
import { loadText } from "../dist/load/index.js";
import { generateJobFile } from "./gen.mjs";
import { paired } from "./lib.mjs";

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
          const { diagnostics } = loadText(text, "bench.yaml", { checkOnly: true });
          if (diagnostics.some((d) => d.severity === "error")) throw new Error("generated file is invalid");
        }),
      async () => time(() => parseDocument(text, { uniqueKeys: false })),
      5,
    );
    perJob.push(r.subjectMs / n);
    rows.push({
      scenario: `validate ${n.toLocaleString("en-US")} jobs`,
      baseline: "bare yaml parseDocument (uniqueKeys off)",
      ...r,
      target: n === 10000 ? "≤ 1.3× (worst ≤ 1.4×)" : "",
      pass: n === 10000 ? r.ratio <= 1.3 && r.worst <= 1.4 : undefined,
    });
  }
  const growth = perJob[2] / perJob[0];
  rows.push({
    scenario: "validation growth, 1k → 20k jobs",
    shown: `${growth.toFixed(2)}× time per job`,
    target: "linear (≈ 1×)",
    pass: growth < 1.5,
  });
  return rows;
}
