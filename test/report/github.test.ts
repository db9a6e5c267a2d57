// `-o github` (SPEC §16) through the real CLI: log groups per job, fenced by stop-commands, an
// ::error annotation at the failed job's line, escaping, and the Markdown step summary.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "../rig.js";

const file = `version: 1
jobs:
  build:
    command: [sh, -c, 'echo building; echo "::endgroup::"; echo "::error::forged"']
  test:
    command: [sh, -c, 'printf "100%% broken\\r\\nsecond line\\n"; exit 3']
    needs: [build]
  lint:
    command: [sh, -c, 'echo lint ok']
  deploy:
    command: [echo, deploy]
    needs: [test]
`;

const github = { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: undefined, GITHUB_WORKSPACE: undefined };

describe("-o github", () => {
  it("is the default under GITHUB_ACTIONS=true when stdout is not a terminal: one group per job, fenced", async () => {
    const dir = tempDir({ "ci/f.yaml": file });
    const r = await cli(["run", "ci/f.yaml", "--keep-going"], { cwd: dir, env: github });
    expect(r.code).toBe(1);
    const lines = r.stdout.split("\n");
    // Every job's output sits between its own ::group:: and ::endgroup::, within a stop-commands fence.
    for (const [job, out] of [
      ["build", "building"],
      ["test", "second line"],
      ["lint", "lint ok"],
    ] as const) {
      const open = lines.findIndex((l) => new RegExp(`^::group::. ${job} \\(`).test(l));
      expect(open, job).toBeGreaterThanOrEqual(0);
      const token = /^::stop-commands::([0-9a-f]{32})$/.exec(lines[open + 1]!)![1];
      const close = lines.indexOf(`::${token}::`);
      expect(lines[close + 1]).toBe("::endgroup::");
      expect(lines.slice(open + 2, close).some((l) => l.includes(out))).toBe(true);
    }
    expect(r.stdout).toMatch(/^::group::✔ build \(succeeded, \d+ms\)$/m);
    expect(r.stdout).toMatch(/^::group::✖ test \(failed, \d+ms\)$/m);
    // The forged commands stay inside build's fence, before its end.
    const buildOpen = lines.findIndex((l) => l.startsWith("::group::✔ build"));
    const fence = lines[buildOpen + 1]!.slice("::stop-commands::".length);
    const forged = lines.indexOf("::error::forged");
    expect(forged).toBeGreaterThan(buildOpen + 1);
    expect(lines.indexOf(`::${fence}::`)).toBeGreaterThan(forged);
    // One annotation, at the failed job's own line, with % and newlines escaped.
    const errors = lines.filter((l) => l.startsWith("::error "));
    expect(errors).toEqual([
      expect.stringMatching(
        /^::error file=ci\/f\.yaml,line=5,title=test failed::failed \(exit 3\) in \d+ms%0A100%25 broken%0D%0Asecond line$/,
      ),
    ]);
    expect(r.stdout).toContain("deploy ↷ skipped: needs test: success, but test failed");
    expect(r.stdout).toMatch(/4 jobs: .*run failed \(exit 1\)/);
  });

  it("annotates a job stopped because the run was cut short (--timeout), not a daemon stopped with it", async () => {
    const dir = tempDir({
      "f.yaml":
        'version: 1\njobs:\n  svc: { command: [sleep, "30"], daemon: true }\n  b: { command: [sh, -c, "echo working; sleep 30"], needs: { svc: started } }\n',
    });
    const r = await cli(["run", "f.yaml", "--timeout", "1s"], { cwd: dir, env: github });
    expect(r.code).toBe(124);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("::error "))).toEqual([
      "::error file=f.yaml,line=4,title=b stopped::stopped (run-timeout)%0Aworking",
    ]);
  });

  it("names the file relative to GITHUB_WORKSPACE and appends the step summary: a table and a mermaid graph", async () => {
    const dir = tempDir({ "ci/f.yaml": file, "s.md": "# before\n" });
    const env = { ...github, GITHUB_WORKSPACE: join(dir, "ci"), GITHUB_STEP_SUMMARY: join(dir, "s.md") };
    const r = await cli(["run", "ci/f.yaml", "-o", "github"], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=f\.yaml,line=5,/m);
    const md = readFileSync(join(dir, "s.md"), "utf8");
    expect(md.startsWith("# before\n")).toBe(true);
    expect(md).toContain("| job | state | duration | attempts |");
    expect(md).toMatch(/\| test \| ✖ failed \| \d+ms \| 1 \|/);
    expect(md).toContain("| deploy | ↷ skipped | - | - |");
    expect(md).toMatch(/```mermaid\nflowchart LR\n[^`]*n0 --> n1[^`]*class n1 failed\n[^`]*```/);
  });

  it("keeps the whole step summary file under 1 MiB, counting what it already holds", async () => {
    // 150 instances with 200-character names: a table and a graph of some 60 KB.
    const values = Array.from({ length: 150 }, (_, i) => `${i}`.padStart(200, "v"));
    const dir = tempDir({
      "f.yaml": `version: 1\njobs:\n  m: { command: [echo, x], matrix: { v: ${JSON.stringify(values)} } }\n`,
    });
    const summary = join(dir, "s.md");
    writeFileSync(summary, "x".repeat(1_000_000));
    const r = await cli(["run", "f.yaml", "-o", "github"], {
      cwd: dir,
      env: { ...github, GITHUB_STEP_SUMMARY: summary },
    });
    expect(r.code).toBe(0);
    expect(statSync(summary).size).toBeLessThanOrEqual(1024 * 1024);
    const md = readFileSync(summary, "utf8").slice(1_000_000);
    expect(md).toContain("| job | state | duration | attempts |");
    expect(md).toMatch(/\n… \d+ more jobs \(see the log\)\n/);
    // With no room left, nothing is appended, and a warning says why.
    writeFileSync(summary, "x".repeat(1024 * 1024 - 10));
    const full = await cli(["run", "f.yaml", "-o", "github"], {
      cwd: dir,
      env: { ...github, GITHUB_STEP_SUMMARY: summary },
    });
    expect(full.code).toBe(0);
    expect(statSync(summary).size).toBe(1024 * 1024 - 10);
    expect(full.stderr).toContain(`procflow: warning: the step summary was not appended to ${summary}`);
  });

  it("escapes HTML in the step summary's table: GitHub renders it", async () => {
    const dir = tempDir({
      "f.yaml": `version: 1\njobs:\n  m: { command: [echo, x], matrix: { v: ["<img src=x>", "a&b|c"] } }\n`,
    });
    const summary = join(dir, "s.md");
    const r = await cli(["run", "f.yaml", "-o", "github"], {
      cwd: dir,
      env: { ...github, GITHUB_STEP_SUMMARY: summary },
    });
    expect(r.code).toBe(0);
    const md = readFileSync(summary, "utf8");
    expect(md).toContain("| m[v=&lt;img src=x&gt;] | ✔ succeeded |");
    expect(md).toContain("| m[v=a&amp;b\\|c] | ✔ succeeded |");
    const table = md.slice(0, md.indexOf("```mermaid"));
    expect(table).not.toContain("<img");
  });

  it("warns when the step summary cannot be appended, keeping the run's exit code", async () => {
    const dir = tempDir({ "ci/f.yaml": file });
    const env = { ...github, GITHUB_STEP_SUMMARY: join(dir, "gone/s.md") };
    const r = await cli(["run", "ci/f.yaml", "-o", "github"], { cwd: dir, env });
    expect(r.code).toBe(1); // test failed: the run's own code
    expect(r.stderr).toContain(
      `procflow: warning: the step summary was not appended to ${join(dir, "gone/s.md")} ($GITHUB_STEP_SUMMARY): no such file or directory (ENOENT)`,
    );
    expect(r.stderr).not.toContain("internal error");
    const ok = await cli(["run", "ci/f.yaml", "-o", "github", "lint"], { cwd: dir, env });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain("procflow: warning: the step summary was not appended");
  });

  it("leaves GITHUB_STEP_SUMMARY alone in other modes", async () => {
    const dir = tempDir({ "f.yaml": "version: 1\njobs:\n  a: { command: [echo, a] }\n", "s.md": "" });
    const r = await cli(["run", "f.yaml", "-o", "lines"], {
      cwd: dir,
      env: { ...github, GITHUB_STEP_SUMMARY: join(dir, "s.md") },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("::group::");
    expect(readFileSync(join(dir, "s.md"), "utf8")).toBe("");
  });
});
