// A run without `inputs` pays nothing for the cache: none of its modules (nor the glob library) load.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, tempDir } from "../rig.js";

function loadedModules(yaml: string): string[] {
  const dir = tempDir({ "in.txt": "1" });
  writeFileSync(join(dir, "jobs.yaml"), yaml);
  const log = join(dir, "modules.log");
  writeFileSync(log, "");
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      join(FIXTURES, "module-log/register.mjs"),
      join(FIXTURES, "module-log/cli.mjs"),
      "run",
      "jobs.yaml",
      "-o",
      "lines",
      "--no-control",
    ],
    { cwd: dir, env: { ...process.env, MODULE_LOG: log, CI: "1" }, encoding: "utf8" },
  );
  expect(r.status).toBe(0);
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

const cacheModule = (url: string) => /\/(session|fingerprint|store)[-.]|tinyglobby/.test(url);

describe("the cache's cost to a run that does not use it", () => {
  it("loads no cache module without inputs, and does with them", () => {
    const plain = loadedModules("version: 1\njobs:\n  a: { command: [echo, hi] }\n");
    expect(plain.length).toBeGreaterThan(3);
    expect(plain.filter(cacheModule)).toEqual([]);
    const cached = loadedModules("version: 1\njobs:\n  a: { command: [echo, hi], inputs: [in.txt] }\n");
    expect(cached.filter(cacheModule).length).toBeGreaterThan(0);
  });
});
