// Baseline: Node's own start-up plus one bare spawn of `true` with piped stdio that it reads and waits
// for — the least a runner of a one-job file can cost.
import { spawn } from "node:child_process";

const child = spawn("true", [], { stdio: ["ignore", "pipe", "pipe"] });
child.stdout.resume();
child.stderr.resume();
