// The schema is the one source of truth: generated artefacts must match it, and it must describe every field.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readmeWithReference } from "../scripts/gen-docs.mjs";
import { generateWrittenTypes } from "../scripts/gen-types.mjs";
import { generateValidator } from "../scripts/gen-validator.mjs";

const read = (p: string) => readFileSync(new URL(`../${p}`, import.meta.url), "utf8");
const schema = JSON.parse(read("schemas/procflow.schema.json"));

describe("schema", () => {
  it("generated TypeScript types are up to date (run npm run gen)", async () => {
    expect(read("src/load/written.ts")).toBe(await generateWrittenTypes());
  });

  it("generated validator is up to date (run npm run gen)", async () => {
    expect(read("src/load/validate-schema.js")).toBe(await generateValidator());
  });

  it("README's job-file reference is up to date (run npm run gen)", async () => {
    expect(read("README.md")).toBe(await readmeWithReference());
  });

  it("describes every property and closes every object", () => {
    const missing: string[] = [];
    const resolve = (s: { $ref?: string }) => (s.$ref ? schema.$defs[s.$ref.replace("#/$defs/", "")] : s);
    const visit = (node: Record<string, unknown>, path: string) => {
      if (node.type === "object" && node.properties && node.additionalProperties !== false)
        missing.push(`${path}: additionalProperties is not false`);
      for (const [key, value] of Object.entries(
        (node.properties ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        if (!resolve(value).description) missing.push(`${path}.${key}: no description`);
        visit(resolve(value), `${path}.${key}`);
      }
    };
    visit(schema, "(root)");
    for (const [name, def] of Object.entries(schema.$defs))
      visit(def as Record<string, unknown>, `$defs.${name}`);
    expect(missing).toEqual([]);
  });
});
