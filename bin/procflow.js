#!/usr/bin/env node
// procflow's entry point (CommonJS, see bin/package.json: Node starts it without its ES module loader).
// The CLI is one CommonJS bundle (scripts/bundle.mjs), compiled here with V8's code cache, which Node 20
// offers for scripts only: the cache is made by the first run after a build (or after Node changed),
// from all the code that run compiled, and written beside the bundle as procflow exits. A cache made
// from other code or by another V8 (or the same with other flags) is not used, and then made anew. The
// V8 flags procflow changed as it ran are set back first (src/v8-flags.ts): a cache fits every run.
const { readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { Script } = require("node:vm");

const dir = join(__dirname, "../dist/cli-bundle");
const argv = process.argv.slice(2);
// `procflow run` starts moving into its cgroup first: the kernel's wait for that passes meanwhile.
const start = require("../dist/cli-bundle/run-start.cjs").startRun(argv);
const bundle = join(dir, "procflow.cjs");
const cacheFile = `${bundle}.cache`;

// The bundle is ASCII (no decoding) and already the function to call, so that V8 compiles the file's
// own text: nothing is copied. Its first line, "// procflow-cli <content hash>", also heads its cache.
const source = readFileSync(bundle, "latin1");
const header = Buffer.from(source.slice(0, source.indexOf("\n") + 1), "latin1");
let cachedData;
try {
  const cache = readFileSync(cacheFile);
  if (cache.subarray(0, header.length).equals(header)) cachedData = cache.subarray(header.length);
} catch {
  // none yet
}
const script = new Script(source, { filename: bundle, cachedData });
if (cachedData === undefined || script.cachedDataRejected) process.once("exit", saveCache);
const module_ = { exports: {} };
script.runInThisContext()(module_.exports, require, module_, bundle, dir);
module_.exports.main(argv, start);

function saveCache() {
  module_.exports.restoreV8Flags();
  const temp = `${cacheFile}.${process.pid}`;
  try {
    writeFileSync(temp, Buffer.concat([header, script.createCachedData()]));
    renameSync(temp, cacheFile);
  } catch {
    // a read-only install: start-up stays without the cache
    rmSync(temp, { force: true });
  }
}
