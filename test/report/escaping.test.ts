// Control characters and shell syntax in argv and matrix values: `--dry-run` prints argv that a shell
// reads back word for word, running nothing; state lines and the summary show them escaped.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "../rig.js";

describe("control characters and shell syntax in argv and names", () => {
  const yaml = `version: 1
jobs:
  j: { command: ["true", "a\\rb", "$(touch pwned)", "it's", "\`touch pwned2\`", "x\\ny", plain, ""] }
  m: { command: ["true", "\${{ matrix.v }}"], matrix: { v: ["x\\ry"] } }
`;
  const argv = ["true", "a\rb", "$(touch pwned)", "it's", "`touch pwned2`", "x\ny", "plain", ""];

  it("--dry-run prints argv that a shell reads back word for word, running nothing", async () => {
    const dir = tempDir({ "jobs.yaml": yaml });
    const r = await cli(["run", "jobs.yaml", "--dry-run"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\r\u0000-\u0009\u000b-\u001f]/);
    expect(r.stdout).toContain("m[v=x\\ry]");
    const line = r.stdout
      .split("\n")
      .find((l) => l.startsWith("     true "))!
      .trim();
    // Pasted into bash, the line gives back the same words.
    const words = spawnSync("bash", ["-c", `set -- ${line}; printf '%s\\0' "$@"`], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(words.stdout.split("\0").slice(0, -1)).toEqual(argv);
    // Pasted as a command into bash and into dash (which lacks $'…'), it runs nothing but `true`.
    for (const sh of ["bash", "sh"]) spawnSync(sh, ["-c", line], { cwd: dir });
    expect(existsSync(join(dir, "pwned"))).toBe(false);
    expect(existsSync(join(dir, "pwned2"))).toBe(false);
  });

  it("--dry-run quotes a first word that a shell would take for an assignment or a keyword", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1\njobs:\n  a: { command: [X=1, touch, pwned] }\n  b: { command: [if, "true;", then, touch, pwned, fi] }\n`,
    });
    const r = await cli(["run", "jobs.yaml", "--dry-run"], { cwd: dir });
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => / {5}(?!in )/.test(l));
    expect(lines.map((l) => l.trim())).toEqual(["'X=1' touch pwned", "'if' 'true;' then touch pwned fi"]);
    for (const line of lines) for (const sh of ["bash", "sh"]) spawnSync(sh, ["-c", line], { cwd: dir });
    expect(existsSync(join(dir, "pwned"))).toBe(false);
  });

  it("-o lines and grouped print them escaped: one state line stays one line", async () => {
    const dir = tempDir({ "jobs.yaml": yaml });
    for (const mode of ["lines", "grouped"]) {
      const r = await cli(["run", "jobs.yaml", "-o", mode], { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/[\r\u0000-\u0009\u000b-\u001f]/);
      expect(r.stdout).toMatch(/m\[v=x\\ry\] +✔ succeeded/);
      if (mode === "lines")
        expect(r.stdout).toMatch(
          /: true \$'a\\rb' '\$\(touch pwned\)' 'it'\\''s' '`touch pwned2`' \$'x\\ny' plain ''\n/,
        );
    }
  });
});
