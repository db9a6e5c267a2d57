// The CLI's code caches (bin/procflow.js), one per script (the start of a run, the CLI): made when
// missing, made anew when one does not fit its script, and never needed: a damaged cache or a folder procflow cannot write to still runs. Each case runs a
// copy of the installed CLI (bin/, dist/cli-bundle/, package.json, schemas/) in a temp dir.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../rig.js";

const ROOT = new URL("../../", import.meta.url).pathname;

// 100 jobs: a run of as many changes V8's flags (src/cli/lean-run.ts).
const many = `version: 1\njobs:\n${Array.from({ length: 100 }, (_, i) => `  j${i}: { command: "true" }\n`).join("")}`;

function install(): {
  root: string;
  cache: string;
  run: (file?: string) => ReturnType<typeof spawnSync>;
} {
  const root = tempDir({
    "jobs.yaml": "version: 1\njobs:\n  a: { command: [echo, hello] }\n",
    "many.yaml": many,
    // A log probe sets V8's flags for its regular expression (src/load/log-pattern.ts).
    "probe.yaml": "version: 1\njobs:\n  a: { command: [echo, up], ready: { log: up } }\n",
  });
  for (const p of ["bin", "dist/cli-bundle", "package.json", "schemas"])
    cpSync(join(ROOT, p), join(root, p), { recursive: true });
  const cache = join(root, "dist/cli-bundle/procflow.cjs.cache");
  const run = (file = "jobs.yaml") =>
    spawnSync(process.execPath, [join(root, "bin/procflow.js"), "run", "-o", "lines", "--no-control", file], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, PROCFLOW_NO_CGROUP: "1" },
    });
  return { root, cache, run };
}

const header = (root: string, script = "procflow") =>
  readFileSync(join(root, `dist/cli-bundle/${script}.cjs`), "latin1").split("\n")[0];

describe("the CLI's code cache", () => {
  it("is made by a run when missing, headed by its script's first line", () => {
    const { root, run } = install();
    const caches = ["procflow", "run-start"].map((s) => [s, join(root, `dist/cli-bundle/${s}.cjs.cache`)]);
    for (const [, cache] of caches) rmSync(cache!, { force: true });
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("hello");
    for (const [script, cache] of caches) {
      expect(readFileSync(cache!, "latin1").split("\n")[0]).toBe(header(root, script));
      expect(readFileSync(cache!).length).toBeGreaterThan(1_000);
    }
  });

  it("is made anew when damaged or made from other code, and the run goes on", () => {
    const { root, cache, run } = install();
    for (const damage of [`${header(root)}\nnot a cache`, "// procflow procflow 0000000000000000\nold"]) {
      writeFileSync(cache, damage);
      const r = run();
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("hello");
      expect(readFileSync(cache).length).toBeGreaterThan(10_000);
    }
  });

  it("is made by a run that changed V8's flags, and fits runs with and without the change", () => {
    const { cache, run } = install();
    rmSync(cache, { force: true });
    expect(run("many.yaml").status).toBe(0);
    const made = statSync(cache);
    // Accepted from then on: none writes it again (a rejected cache is replaced by a new file).
    for (const file of ["jobs.yaml", "many.yaml", "probe.yaml", "jobs.yaml"]) {
      expect(run(file).status).toBe(0);
      expect([statSync(cache).ino, statSync(cache).mtimeMs]).toEqual([made.ino, made.mtimeMs]);
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
