// A demo worker: asks the service for the squares of its numbers and writes their sum to a file.
import { mkdirSync, writeFileSync } from "node:fs";

const [from, to] = process.argv.slice(2).map(Number);
const base = `http://127.0.0.1:${process.env.DEMO_PORT ?? 47813}`;
let sum = 0;
for (let n = from; n <= to; n++) {
  const square = Number(await (await fetch(`${base}/square?n=${n}`)).text());
  console.log(`${n}² = ${square}`);
  sum += square;
}
// One folder per run: two demo runs at the same time keep their sums apart.
const out = `out/${process.env.PROCFLOW_RUN_ID ?? "run"}`;
mkdirSync(out, { recursive: true });
writeFileSync(`${out}/${process.env.PROCFLOW_JOB}.txt`, `${sum}\n`);
console.log(`${process.env.PROCFLOW_JOB}: sum of squares ${from}..${to} = ${sum}`);
