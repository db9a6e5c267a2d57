// Generates src/load/written.ts, the TypeScript type of what users write, from the schema.
// `npm run gen` writes it; test/schema.test.ts fails when it is stale.
import { readFile, writeFile } from "node:fs/promises";
import { compile } from "json-schema-to-typescript";

export async function generateWrittenTypes() {
  const schema = JSON.parse(
    await readFile(new URL("../schemas/procflow.schema.json", import.meta.url), "utf8"),
  );
  return compile(schema, "JobFile", {
    bannerComment: "// Generated from schemas/procflow.schema.json by `npm run gen`. Do not edit.",
    additionalProperties: false,
    unreachableDefinitions: false,
    format: false,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(new URL("../src/load/written.ts", import.meta.url), await generateWrittenTypes());
}
