// Generates src/load/validate-schema.js: the schema compiled ahead of time by ajv's standalone
// code, so that `procflow validate` neither loads nor runs the ajv compiler (≈90 ms) at start-up.
// `npm run gen` writes it; test/schema.test.ts fails when it is stale.
import { readFile, writeFile } from "node:fs/promises";
import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";

export const ajvOptions = {
  allErrors: true,
  verbose: true,
  allowUnionTypes: true,
  code: { source: true, esm: true },
};

export async function generateValidator() {
  const schema = JSON.parse(
    await readFile(new URL("../schemas/procflow.schema.json", import.meta.url), "utf8"),
  );
  const ajv = new Ajv.default(ajvOptions);
  const imports = [];
  // ajv's "esm" output still require()s its small runtime helpers: turn them into imports.
  const code = standaloneCode
    .default(ajv, ajv.compile(schema))
    .replace(/^"use strict";/, "")
    .replace(
      "export const validate = validate10;export default validate10;",
      "export const validateSchema = validate10;",
    )
    .replace(/const (\w+) = require\("([^"]+)"\)\.default;/g, (_, name, mod) => {
      imports.push(`import ${name}Module from "${mod}.js";`);
      return `const ${name} = ${name}Module.default ?? ${name}Module;`;
    });
  return `// Generated from schemas/procflow.schema.json by \`npm run gen\`. Do not edit.\n// @ts-nocheck\n${imports.join("\n")}\n${code}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(new URL("../src/load/validate-schema.js", import.meta.url), await generateValidator());
}
