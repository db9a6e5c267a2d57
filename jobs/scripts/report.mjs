// The demo's join: reads what the workers wrote and reports the total.
import { readdirSync, readFileSync, rmdirSync, rmSync } from "node:fs";

const out = `out/${process.env.PROCFLOW_RUN_ID ?? "run"}`;
const files = readdirSync(out).filter((f) => f.endsWith(".txt"));
const total = files.reduce((sum, f) => sum + Number(readFileSync(`${out}/${f}`, "utf8")), 0);
console.log(`${files.length} workers reported; total sum of squares = ${total}`);
rmSync(out, { recursive: true, force: true });
try {
  rmdirSync("out"); // the last run out
} catch {}
