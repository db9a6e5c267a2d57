// Baseline: a bare Node loop that spawns `true` N times, at most C at once, with piped stdio that it
// reads, and waits for each — what any runner must at least do. Usage: spawn-loop.mjs N C
import { spawn } from "node:child_process";

const [n = 1000, c = 4] = process.argv.slice(2).map(Number);
let started = 0;
const next = () => {
  if (started >= n) return;
  started++;
  const child = spawn("true", [], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.resume();
  child.stderr.resume();
  child.on("close", next);
};
for (let i = 0; i < c; i++) next();
