// Peer tools on the same fan-out (1,000 `true` commands, 4 at a time), each against the bare Node
// spawn loop measured beside it; tools missing on this machine are skipped with a note.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measure, paired, ROOT } from "./lib.mjs";
import { jobFile } from "./spawn.mjs";

const has = (cmd) => {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), "procflow-bench-"));
  const n = 1000;
  writeFileSync(join(dir, "fanout.yaml"), jobFile(n, false));
  writeFileSync(
    join(dir, "Makefile"),
    `all: ${Array.from({ length: n }, (_, i) => `t${i}`).join(" ")}\nt%:\n\t@true\n`,
  );
  writeFileSync(join(dir, "list"), "true\n".repeat(n));
  const loop = () => measure(["node", `${ROOT}bench/baselines/spawn-loop.mjs`, String(n), "4"]);
  const concurrently = `${ROOT}node_modules/.bin/concurrently`;
  const peers = [
    [
      "procflow",
      () => measure(["node", `${ROOT}bin/procflow.js`, "run", join(dir, "fanout.yaml"), "-o", "lines"]),
    ],
    ["make -j4", has("make") && (() => measure(["make", "-s", "-j4", "-C", dir]))],
    [
      "xargs -P4",
      has("xargs") && (() => measure(["sh", "-c", `xargs -P4 -I{} sh -c {} < ${join(dir, "list")}`])),
    ],
    [
      "GNU parallel -j4",
      has("parallel") && (() => measure(["sh", "-c", `parallel -j4 < ${join(dir, "list")}`])),
    ],
    // Like procflow -o lines: children on pipes, output prefixed by the runner.
    [
      "concurrently -m 4",
      has(concurrently) && (() => measure([concurrently, "-m", "4", ...Array(n).fill("true")])),
    ],
    // For reference: children inherit the runner's stdout, so no pipes are made and nothing is captured.
    [
      "concurrently -m 4 --raw (no capture)",
      has(concurrently) && (() => measure([concurrently, "-m", "4", "--raw", ...Array(n).fill("true")])),
    ],
  ];
  const rows = [];
  for (const [name, fn] of peers) {
    if (!fn) {
      rows.push({ scenario: `peer: ${name}`, shown: "not installed here: skipped" });
      continue;
    }
    const r = await paired(fn, loop, 3);
    rows.push({ scenario: `peer on the fan-out: ${name}`, baseline: "bare Node spawn loop", ...r });
  }
  // The targets ask whether procflow beats these two: measured against each other, side by side.
  const procflow = peers[0][1];
  for (const [name, fn] of peers.slice(3, 5)) {
    if (!fn) continue;
    const r = await paired(procflow, fn, 5);
    rows.push({
      scenario: `procflow against ${name}`,
      baseline: name,
      ...r,
      target: "< 1×",
      pass: r.ratio < 1,
    });
  }
  return rows;
}
