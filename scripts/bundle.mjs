// Bundles the CLI into CommonJS scripts, dist/cli-bundle/*.cjs, that bin/procflow.js compiles through
// V8's code cache: start-up reads a few files instead of a few hundred modules and compiles almost
// nothing (`procflow run` of one job starts ~40 ms sooner than from ES module chunks, which Node 20
// cannot cache). What a command does not use is bundled but never evaluated: esbuild keeps every
// dynamic import() a lazy initializer. The compiled per-module dist/ stays for the library API
// and the target bootstrap.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

rmSync("dist/cli-bundle", { recursive: true, force: true });
mkdirSync("dist/cli-bundle", { recursive: true });

// Two scripts: the start of a run (src/cli/run-start.ts), which bin/procflow.js makes first, and the
// CLI. Each is a function of CommonJS's module parameters, under a first line that names its content
// (a code cache is used only if it was made from the same).
//
// Minified: a run reads, and deserializes the code cache of, ~half as much (1.6 ms of a one-job run's
// start). A stack trace names the bundle's lines and columns: procflow's internal-error report reads
// them through <name>.cjs.map (src/cli/source-stack.ts). Class and method names stay as written.
async function script(entry, name) {
  const out = await build({
    entryPoints: [entry],
    outfile: `dist/cli-bundle/${name}.cjs`,
    bundle: true,
    write: false,
    format: "cjs",
    platform: "node",
    target: "node20",
    // src/paths.ts finds the package from the running file.
    define: { "import.meta.url": "__procflowUrl" },
    minify: true,
    sourcemap: "external",
    // A dynamic import() inside a vm.Script needs a flag on Node 20: the built-in modules that procflow
    // loads late (node:http on a first control connection…) are required at the same place instead.
    supported: { "dynamic-import": false },
    // All ASCII, so that it loads as a one-byte string without decoding.
    charset: "ascii",
    logLevel: "warning",
    legalComments: "none",
  });
  const output = (ext) => out.outputFiles.find((f) => f.path.endsWith(ext)).text;
  const code = output(".cjs");
  const left = /\bimport\(["'`]|[^\0-\x7f]/.exec(code);
  if (left) throw new Error(`bundle: ${left[0]} left in ${name}.cjs`);
  const id = createHash("sha256").update(code).digest("hex").slice(0, 16);
  writeFileSync(
    `dist/cli-bundle/${name}.cjs`,
    `// procflow ${name} ${id}
(function (exports, require, module, __filename, __dirname) {
"use strict";
const __procflowUrl = require("node:url").pathToFileURL(__filename).href;
${code}
})
`,
  );
  // The map, shifted by the four lines the script gained above (each ";" in `mappings` is a line).
  const map = JSON.parse(output(".map"));
  map.mappings = `;;;;${map.mappings}`;
  writeFileSync(`dist/cli-bundle/${name}.cjs.map`, JSON.stringify(map));
}
await script("src/cli/run-start.ts", "run-start");
await script("src/cli/entry.ts", "procflow");

// The web view's page (src/web/page/): one script and one stylesheet for the browser, beside its HTML,
// in dist/web/; served by `run --ui` / `procflow ui` and inlined by `procflow report`.
rmSync("dist/web", { recursive: true, force: true });
await build({
  entryPoints: { page: "src/web/page/main.tsx" },
  outdir: "dist/web",
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "chrome110",
  jsx: "automatic",
  jsxImportSource: "preact",
  minify: true,
  logLevel: "warning",
  legalComments: "none",
});
copyFileSync("src/web/page/index.html", "dist/web/index.html");

// The code caches are made by the first run (bin/procflow.js): let that be a run of one job, so that
// they hold what every `procflow run` compiles, whatever command comes first after a build.
const warm = mkdtempSync(join(tmpdir(), "procflow-warm-"));
writeFileSync(join(warm, "jobs.yaml"), 'version: 1\njobs:\n  warm: { command: ["true"] }\n');
execFileSync(process.execPath, ["bin/procflow.js", "run", "-o", "lines", join(warm, "jobs.yaml")], {
  stdio: "ignore",
});
rmSync(warm, { recursive: true, force: true });

// Last: the mark that the build is whole (scripts/prepare.mjs builds again when it is missing or old).
writeFileSync("dist/cli-bundle/built", `${new Date().toISOString()}\n`);
