// Baseline: a raw Node pipe read — spawn the generator and read its stdout to the end, discarding it.
import { spawn } from "node:child_process";

const child = spawn(process.argv[2], process.argv.slice(3), { stdio: ["ignore", "pipe", "inherit"] });
let bytes = 0;
child.stdout.on("data", (chunk) => {
  bytes += chunk.length;
});
child.on("close", () => {
  if (process.env.BENCH_VERBOSE) console.error(`${bytes} bytes`);
});
