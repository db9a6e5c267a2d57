// A job's definition hash (what --rerun-failed compares): the same for the same definition, whatever
// its place, weight or description; different when anything that decides how it runs differs.
import { describe, expect, it } from "vitest";
import { loadText } from "../../src/index.js";
import { definitionHash } from "../../src/run/definition.js";

const hashes = (text: string) => {
  const { graph } = loadText(`version: 1\njobs:\n${text}`, "/tmp/jobs.yaml");
  return Object.fromEntries(graph!.jobs.map((j) => [j.name, definitionHash(j)]));
};

describe("definitionHash", () => {
  it("ignores place, weight and description, and tells every other change apart", () => {
    const long = "é€😀".repeat(3000); // past the hash's first buffer, with 2-, 3- and 4-byte characters
    const h = hashes(`
  a: { command: [echo, hi] }
  b: { command: [echo, hi] }
  c: { command: [echo, hi], description: about c }
  d: { command: [echo, hi!] }
  e: { command: [echo, "${long}"] }
  f: { command: [echo, "${long}x"] }
  g: { command: [echo, hi], env: { X: "1" } }
`);
    // Elsewhere in the file, and with a dependent (which changes its weight on the critical path).
    const again = hashes(
      `\n  e: { command: [echo, "${long}"] }\n  z: { command: [echo, z], needs: [a] }\n  a: { command: [echo, hi] }\n`,
    );
    expect(h.a).toMatch(/^[0-9a-f]{16}$/);
    expect(again.a).toBe(h.a);
    expect(again.e).toBe(h.e);
    // b and c differ from a only by name (and c by what does not count): the name is part of it.
    expect(new Set(Object.values(h)).size).toBe(7);
    expect(hashes("\n  a: { command: [echo, hi], description: other }\n").a).toBe(h.a);
  });
});
