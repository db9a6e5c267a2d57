// The CLI's code cache (bin/procflow.js): made when missing, made anew when it does not fit the bundle,
// and never needed: a damaged cache or a folder procflow cannot write to still runs. Each case runs a
// copy of the installed CLI (bin/, dist/cli-bundle/, package.json, schemas/) in a temp dir.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../rig.js";

const ROOT = new URL("../../", import.meta.url).pathname;

function install(): { root: string; cache: string; run: () => ReturnType<typeof spawnSync> } {
  const root = tempDir({ "jobs.yaml": "version: 1\njobs:\n  a: { command: [echo, hello] }\n" });
  for (const p of ["bin", "dist/cli-bundle", "package.json", "schemas"])
    cpSync(join(ROOT, p), join(root, p), { recursive: true });
  const cache = join(root, "dist/cli-bundle/procflow.cjs.cache");
  const run = () =>
    spawnSync(
      process.execPath,
      [join(root, "bin/procflow.js"), "run", "-o", "lines", "--no-control", "jobs.yaml"],
      {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, PROCFLOW_NO_CGROUP: "1" },
      },
    );
  return { root, cache, run };
}

const header = (root: string) =>
  readFileSync(join(root, "dist/cli-bundle/procflow.cjs"), "latin1").split("\n")[0];

describe("the CLI's code cache", () => {
  it("is made by a run when missing, headed by the bundle's first line", () => {
    const { root, cache, run } = install();
    rmSync(cache, { force: true });
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("hello");
    expect(readFileSync(cache, "latin1").split("\n")[0]).toBe(header(root));
    expect(readFileSync(cache).length).toBeGreaterThan(10_000);
  });

  it("is made anew when damaged or made from other code, and the run goes on", () => {
    const { root, cache, run } = install();
    for (const damage of [`${header(root)}\nnot a cache`, "// procflow-cli 0000000000000000\nold"]) {
      writeFileSync(cache, damage);
      const r = run();
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("hello");
      expect(readFileSync(cache).length).toBeGreaterThan(10_000);
    }
  });

  // Root writes whatever the permission bits say: this one runs for other users only.
  it.skipIf(process.getuid?.() === 0)(
    "is not needed: where procflow cannot write it, runs go on without",
    () => {
      const { root, cache, run } = install();
      rmSync(cache, { force: true });
      chmodSync(join(root, "dist/cli-bundle"), 0o555);
      try {
        expect(run().status).toBe(0);
        expect(existsSync(cache)).toBe(false);
      } finally {
        chmodSync(join(root, "dist/cli-bundle"), 0o755);
      }
    },
  );
});
