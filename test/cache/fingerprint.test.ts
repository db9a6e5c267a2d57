// The fingerprint is a pure function of its facts: equal facts in any key order give one hash, and
// each fact changes it.
import { describe, expect, it } from "vitest";
import { type FingerprintFacts, fingerprint } from "../../src/cache/fingerprint.js";
import { decodeLog, encodeLog } from "../../src/cache/log.js";

const facts: FingerprintFacts = {
  platform: "linux",
  arch: "x64",
  argv: ["tsc", "-p", "."],
  shell: null,
  target: null,
  cwd: "packages/core",
  env: { NODE_ENV: "production", A: "1" },
  inputsEnv: { CI: null },
  matrix: null,
  files: { "src/a.ts": "-:aa", "src/b.ts": "-:bb" },
  needs: [{ job: "gen", condition: "success", fingerprint: "f".repeat(64), ok: true }],
};

describe("fingerprint", () => {
  it("is the same for the same facts, whatever the order of their keys", () => {
    const reordered: FingerprintFacts = {
      ...facts,
      env: { A: "1", NODE_ENV: "production" },
      files: { "src/b.ts": "-:bb", "src/a.ts": "-:aa" },
    };
    expect(fingerprint(reordered)).toBe(fingerprint(facts));
    expect(fingerprint(facts)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("changes with each fact", () => {
    const changes: Partial<FingerprintFacts>[] = [
      { platform: "darwin" },
      { arch: "arm64" },
      { argv: ["tsc", "-b"] },
      { shell: "/bin/sh" },
      { target: { module: "m", export: "default", args: [] } },
      { cwd: "." },
      { env: { ...facts.env, A: "2" } },
      { inputsEnv: { CI: "true" } },
      { matrix: { os: "linux" } },
      { files: { ...facts.files, "src/a.ts": "x:aa" } },
      { files: { "src/a.ts": "-:aa" } },
      { needs: [{ ...facts.needs[0]!, fingerprint: "e".repeat(64) }] },
      { needs: [{ ...facts.needs[0]!, ok: false }] },
      { needs: [{ ...facts.needs[0]!, condition: "always" }] },
    ];
    const prints = new Set(changes.map((c) => fingerprint({ ...facts, ...c })));
    expect(prints.size).toBe(changes.length);
    expect(prints.has(fingerprint(facts))).toBe(false);
  });

  it("a log of output chunks reads back; a damaged one does not", () => {
    const chunks = [
      { stream: "stdout" as const, data: Buffer.from("a\nb\n") },
      { stream: "stderr" as const, data: Buffer.from("c\n") },
    ];
    const log = encodeLog(chunks);
    expect(decodeLog(log)).toEqual(chunks);
    expect(decodeLog(log.subarray(0, log.length - 1))).toBeNull();
  });
});
