// An internal error (a bug of procflow, simulated by PROCFLOW_DEBUG_CRASH) says how to report it, truthfully.
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { expect, it } from "vitest";
import { runJobs } from "../rig.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));

it("exits 70 naming the version and what to send, and an address only if package.json has one", async () => {
  const r = await runJobs(
    `version: 1\njobs:\n  a: { shell: true, command: 'echo "result=$PROCFLOW_RESULT"; sleep 30' }\n`,
    [],
    { env: { PROCFLOW_DEBUG_CRASH: "300" } },
  );
  expect(r.code).toBe(70);
  // It still cleans up: the job's result file and its folder too.
  const file = /result=(\/[^"\s]+)/.exec(r.stdout)?.[1];
  expect(file).toBeDefined();
  expect(existsSync(dirname(file!))).toBe(false);
  expect(r.stderr).toContain("procflow: internal error: Error: simulated internal error");
  // The minified bundle's frames are named by the source map: file, line and column of the source.
  const line = readFileSync(new URL("../../src/run/executor.ts", import.meta.url), "utf8")
    .split("\n")
    .findIndex((l) => l.includes("simulated internal error"));
  expect(r.stderr).toContain(`(src/run/executor.ts:${line + 1}:`);
  expect(r.stderr).toContain(`this is a bug in procflow ${pkg.version} (Node.js ${process.version}`);
  expect(r.stderr).toContain("with the command line, the job file and the output above");
  const where = pkg.bugs?.url ?? pkg.bugs?.email ?? pkg.bugs ?? pkg.repository?.url ?? pkg.repository;
  if (where) expect(r.stderr).toContain(`please report it at ${where} with`);
  else expect(r.stderr).not.toMatch(/https?:\/\//);
});
