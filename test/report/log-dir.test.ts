// `--log-dir` against hostile matrix values: every instance gets its own readable file, named in run.json.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "../rig.js";

describe("--log-dir file names", () => {
  it("gives every matrix instance its own readable log file, and maps them in run.json", async () => {
    const values = ["a b", "a_b", "a<b", "a>b", "a/b", "x"];
    const dir = tempDir({
      "jobs.yaml": `version: 1
jobs:
  m: { command: [echo, "val=\${{ matrix.v }}"], matrix: { v: ${JSON.stringify(values)} } }
  plain: { command: [echo, plain] }
`,
    });
    const r = await cli(["run", "jobs.yaml", "--log-dir", "logs", "-o", "json"], { cwd: dir });
    expect(r.code).toBe(0);
    const logs = JSON.parse(readFileSync(join(dir, "logs/run.json"), "utf8")).logs as Record<string, string>;
    const files = Object.values(logs);
    expect(new Set(files).size).toBe(files.length);
    expect(files.sort()).toEqual(
      readdirSync(join(dir, "logs"))
        .filter((f) => f !== "run.json")
        .sort(),
    );
    for (const v of values)
      expect(readFileSync(join(dir, "logs", logs[`m[v=${v}]`]!), "utf8")).toBe(`val=${v}\n`);
    // A name that maps without loss keeps its plain form; one that loses characters gets a short hash.
    expect(logs["m[v=a_b]"]).toBe("m_v=a_b_.log");
    expect(logs["m[v=x]"]).toBe("m_v=x_.log");
    expect(logs.plain).toBe("plain.log");
    expect(logs["m[v=a b]"]).toMatch(/^m_v=a_b_-[0-9a-f]{8}\.log$/);
  });

  it("tells apart two instances whose plain names meet, and keeps long names short", async () => {
    const long = "v".repeat(300);
    const dir = tempDir({
      "jobs.yaml": `version: 1
jobs:
  m_os: { command: [echo, one], matrix: { x: ["1"] } }
  m: { command: [echo, two], matrix: { os_x: ["1"] } }
  l: { command: [echo, long], matrix: { v: ["${long}"] } }
`,
    });
    const r = await cli(["run", "jobs.yaml", "--log-dir", "logs", "-o", "json"], { cwd: dir });
    expect(r.code).toBe(0);
    const logs = JSON.parse(readFileSync(join(dir, "logs/run.json"), "utf8")).logs as Record<string, string>;
    expect(readFileSync(join(dir, "logs", logs["m_os[x=1]"]!), "utf8")).toBe("one\n");
    expect(readFileSync(join(dir, "logs", logs["m[os_x=1]"]!), "utf8")).toBe("two\n");
    expect(logs["m[os_x=1]"]).not.toBe(logs["m_os[x=1]"]);
    expect(readFileSync(join(dir, "logs", logs[`l[v=${long}]`]!), "utf8")).toBe("long\n");
    expect(logs[`l[v=${long}]`]!.length).toBeLessThan(140);
  });
});
