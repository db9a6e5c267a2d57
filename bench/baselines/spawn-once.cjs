// Baseline: Node's own start-up plus one bare spawn of `true` with piped stdio that it reads and waits
// for — the least a runner of a one-job file can cost. CommonJS, as `node -e 0` is: an ES module
// would add the ES module loader's start (~10 ms) to the baseline.
const { spawn } = require("node:child_process");

const child = spawn("true", [], { stdio: ["ignore", "pipe", "pipe"] });
child.stdout.resume();
child.stderr.resume();
