// Incremental runs: a fully cached run of 1,000 jobs with 10 input files each against a bare Node
// script that globs and hashes the same files (measured in the same run); the cold run's extra cost
// (fingerprinting and storing) against the same run with --no-cache.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, measure, paired, ROOT, ratioRow } from "./lib.mjs";

const JOBS = 1000;
const FILES = 10;

function setUp() {
  const dir = mkdtempSync(join(tmpdir(), "procflow-bench-"));
  let yaml = "version: 1\nconcurrency: 4\njobs:\n";
  for (let i = 0; i < JOBS; i++) {
    mkdirSync(join(dir, `in/j${i}`), { recursive: true });
    for (let f = 0; f < FILES; f++)
      writeFileSync(join(dir, `in/j${i}/f${f}.txt`), `job ${i} file ${f}\n`.repeat(64));
    yaml += `  j${i}: { command: [echo, "j${i}"], inputs: ["in/j${i}/**"] }\n`;
  }
  writeFileSync(join(dir, "jobs.yaml"), yaml);
  return dir;
}

export async function run() {
  const dir = setUp();
  const file = join(dir, "jobs.yaml");
  const procflow = (...flags) => measure(["node", CLI, "run", file, "-o", "lines", ...flags]);
  await procflow(); // fills the cache
  const cached = await paired(
    () => procflow(),
    () => measure(["node", `${ROOT}bench/baselines/glob-hash.mjs`, dir, String(JOBS)]),
  );
  const cold = await paired(
    () => {
      rmSync(join(dir, ".procflow"), { recursive: true, force: true });
      return procflow();
    },
    () => procflow("--no-cache"),
    3,
  );
  rmSync(dir, { recursive: true, force: true });
  return [
    ratioRow(
      `cached run: ${JOBS.toLocaleString("en-US")} jobs × ${FILES} input files`,
      "bare Node glob + sha256 of the same files",
      cached,
      2,
    ),
    {
      scenario: "cold run: fingerprint + store vs --no-cache",
      baseline: "the same run with --no-cache",
      ...cold,
    },
  ];
}
