// Decides the shards of jobs/results.yaml and writes them to the job's result (PROCFLOW_RESULT).
import { appendFileSync } from "node:fs";

const shards = ["a", "b", "c"];
appendFileSync(process.env.PROCFLOW_RESULT, `shards=${JSON.stringify(shards)}\n`);
appendFileSync(process.env.PROCFLOW_RESULT, "notes<<EOF\nplanned by plan.mjs\nthree shards\nEOF\n");
console.log(`planned ${shards.length} shards`);
