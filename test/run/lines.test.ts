// Lines over 64 KiB are cut on a UTF-8 character boundary: valid text arrives unchanged in every
// mode; invalid bytes still pass through `-o lines` untouched and are replaced in JSON.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { LineSplitter, MAX_LINE } from "../../src/run/lines.js";
import { CLI, runJobs } from "../rig.js";

/** A line whose character `ch` straddles the 64 KiB cut by `k` bytes, then `b`s. */
const line = (k: number, ch: string) => `${"a".repeat(MAX_LINE - k)}${ch}${"b".repeat(10)}`;
const CASES: [number, string][] = [
  [1, "é"],
  [1, "€"],
  [2, "€"],
  [1, "😀"],
  [2, "😀"],
  [3, "😀"],
];
// Writes line(k, ch) as UTF-8, or with `raw` the bytes given in hex in place of ch.
const GEN = `const [k, ch, raw] = process.argv.slice(2);
const mid = raw ? Buffer.from(raw, "hex") : Buffer.from(ch);
process.stdout.write(Buffer.concat([Buffer.from("a".repeat(${MAX_LINE} - Number(k))), mid, Buffer.from("b".repeat(10) + "\\n")]));
`;
const jobs = (cases: string[][]) =>
  `version: 1\njobs:\n${cases.map((c, i) => `  j${i}: { command: [node, gen.mjs, ${c.map((a) => JSON.stringify(a)).join(", ")}] }\n`).join("")}`;

/** Runs the CLI with raw stdout bytes. */
function rawRun(dir: string, args: string[]): Buffer {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", CI: "true" },
  });
  return r.stdout;
}

describe("lines over 64 KiB and UTF-8", () => {
  it("never splits a character: the pieces rejoin into the line, in JSON and in -o lines", async () => {
    const yaml = jobs(CASES.map(([k, ch]) => [String(k), ch]));
    const r = await runJobs(yaml, [], { files: { "gen.mjs": GEN } });
    expect(r.code).toBe(0);
    CASES.forEach(([k, ch], i) => {
      const pieces = r.lines(`j${i}`);
      expect(pieces.length).toBe(2);
      expect(pieces.join("")).toBe(line(k, ch));
      for (const p of pieces) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_LINE);
    });

    const out = rawRun(r.dir, ["run", "jobs.yaml", "-o", "lines"]);
    // Valid UTF-8 throughout: a cut character would make the decoder throw.
    const text = new TextDecoder("utf-8", { fatal: true }).decode(out);
    CASES.forEach(([k, ch], i) => {
      const pieces = text
        .split("\n")
        .filter((l) => l.startsWith(`j${i} | `))
        .map((l) => l.slice(`j${i} | `.length));
      expect(pieces.join("")).toBe(line(k, ch));
    });
  });

  it("still passes invalid bytes at the cut through -o lines; JSON replaces them as for the whole line", async () => {
    // A lone lead byte, a lead byte with one of its two continuation bytes, bytes never valid.
    const bad = ["c3", "e282", "fffe"];
    const yaml = jobs(bad.map((hex) => ["1", "-", hex]));
    const r = await runJobs(yaml, [], { files: { "gen.mjs": GEN } });
    expect(r.code).toBe(0);
    const out = rawRun(r.dir, ["run", "jobs.yaml", "-o", "lines"]);
    bad.forEach((hex, i) => {
      const input = Buffer.concat([
        Buffer.from("a".repeat(MAX_LINE - 1)),
        Buffer.from(hex, "hex"),
        Buffer.from("b".repeat(10)),
      ]);
      expect(r.lines(`j${i}`).join("")).toBe(input.toString());
      const prefix = Buffer.from(`j${i} | `);
      const pieces: Buffer[] = [];
      for (let at = out.indexOf(prefix); at !== -1; at = out.indexOf(prefix, at + 1))
        pieces.push(out.subarray(at + prefix.length, out.indexOf(0x0a, at)));
      expect(Buffer.concat(pieces).equals(input)).toBe(true);
    });
  });

  it("cuts on a boundary however the line arrives: in one chunk, or a few bytes at a time", () => {
    const text = `${"x".repeat(3 * MAX_LINE - 1)}é${"€".repeat(MAX_LINE)}😀\n`;
    const bytes = Buffer.from(text);
    for (const size of [bytes.length, 4099, 1000]) {
      const out: Buffer[] = [];
      const splitter = new LineSplitter((b) => out.push(Buffer.from(b)));
      for (let at = 0; at < bytes.length; at += size) splitter.push(bytes.subarray(at, at + size));
      splitter.end();
      const lines = Buffer.concat(out).toString().split("\n").slice(0, -1);
      expect(lines.join("")).toBe(text.slice(0, -1));
      for (const l of lines) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(MAX_LINE);
    }
  });
});
