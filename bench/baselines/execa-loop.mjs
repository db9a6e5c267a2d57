// Reference: the same loop as spawn-loop.mjs through execa with the leanest options (no buffering, no
// cleanup, a prepared env) — why procflow spawns jobs with node:child_process. Usage: execa-loop.mjs N C
import { execa } from "execa";

const [n = 1000, c = 4] = process.argv.slice(2).map(Number);
const env = { ...process.env };
let started = 0;
const next = () => {
  if (started >= n) return;
  started++;
  const child = execa("true", [], {
    env,
    extendEnv: false,
    stdin: "ignore",
    detached: true,
    buffer: false,
    cleanup: false,
    reject: false,
    encoding: "buffer",
    stripFinalNewline: false,
  });
  child.stdout.resume();
  child.stderr.resume();
  child.once("exit", next);
  child.catch(() => {});
};
for (let i = 0; i < c; i++) next();
