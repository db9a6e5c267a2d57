// One shard of jobs/results.yaml: does its work and reports how many items it handled.
import { appendFileSync } from "node:fs";

const shard = process.argv[2];
const items = shard.charCodeAt(0) - 96; // a → 1, b → 2, c → 3
console.log(`shard ${shard}: ${items} item(s)`);
appendFileSync(process.env.PROCFLOW_RESULT, `items=${items}\n`);
