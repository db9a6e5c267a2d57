// Every invalid file under test/fixtures/invalid/ declares the diagnostics it must produce in
// `# expect: LINE:COL CODE [MESSAGE]` comments; the loader must produce exactly those.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { position } from "../../src/load/diagnostic.js";
import { loadText } from "../../src/load/index.js";

const dir = join(import.meta.dirname, "../fixtures/invalid");
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));

describe("invalid job files", () => {
  it("has a corpus of at least 20 files", () => expect(files.length).toBeGreaterThanOrEqual(20));

  it.each(files)("%s", (file) => {
    const path = join(dir, file);
    const text = readFileSync(path, "utf8");
    const expected = [...text.matchAll(/^# expect: (\d+):(\d+) (\S+)(?: (.*))?$/gm)].map((m) => ({
      line: Number(m[1]),
      column: Number(m[2]),
      code: m[3],
      ...(m[4] ? { message: m[4] } : {}),
    }));
    expect(expected.length).toBeGreaterThan(0);
    const { diagnostics, graph } = loadText(text, path);
    const actual = diagnostics.map((d) => ({
      ...position(d),
      code: d.code,
      message: d.message,
    }));
    expect(
      actual.map(({ line, column, code, message }, i) => ({
        line,
        column,
        code,
        ...(expected[i]?.message ? { message } : {}),
      })),
    ).toEqual(expected);
    if (diagnostics.some((d) => d.severity === "error")) expect(graph).toBeUndefined();
    // What `procflow validate` loads: the same check, no graph.
    const checked = loadText(text, path, { checkOnly: true });
    expect(checked.diagnostics).toEqual(diagnostics);
    expect(checked.graph).toBeUndefined();
  });
});

describe("the example job files", () => {
  const examples = join(import.meta.dirname, "../../jobs");
  it.each(readdirSync(examples).filter((f) => f.endsWith(".yaml")))(
    "%s: checked alone as in full",
    (file) => {
      const path = join(examples, file);
      const text = readFileSync(path, "utf8");
      const full = loadText(text, path);
      const checked = loadText(text, path, { checkOnly: true });
      expect(full.graph).toBeDefined();
      expect(checked.graph).toBeUndefined();
      expect(checked.diagnostics).toEqual(full.diagnostics);
      expect(checked.includes).toEqual(full.includes);
    },
  );
});
