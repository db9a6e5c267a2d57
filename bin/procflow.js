#!/usr/bin/env node
// procflow's entry point (CommonJS, see bin/package.json: Node starts it without its ES module loader).
// The CLI is two CommonJS scripts (scripts/bundle.mjs), each compiled here with V8's code cache, which
// Node 20 offers for scripts only: a cache is made by the first run after a build (or after Node
// changed), from all the code of its script that run compiled, and written beside it as procflow
// exits. A cache made from other code or by another V8 (or the same with other flags) is not used, and
// then made anew. The V8 flags procflow changed as it ran are set back first (src/v8-flags.ts): a
// cache fits every run.
const { readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { Script } = require("node:vm");

const dir = join(__dirname, "../dist/cli-bundle");
const argv = process.argv.slice(2);
/** The scripts whose cache is missing or was refused: written at exit. */
const uncached = [];
// `procflow run` starts moving into its cgroup first: the kernel's wait for that passes meanwhile.
const start = load("run-start").startRun(argv);
const cli = load("procflow");
if (uncached.length > 0) process.once("exit", saveCaches);
cli.main(argv, start);

function load(name) {
  const file = join(dir, `${name}.cjs`);
  // ASCII (no decoding) and already the function to call, so that V8 compiles the file's own text:
  // nothing is copied. Its first line, "// procflow <name> <content hash>", also heads its cache.
  const source = readFileSync(file, "latin1");
  const header = Buffer.from(source.slice(0, source.indexOf("\n") + 1), "latin1");
  let cachedData;
  try {
    const cache = readFileSync(`${file}.cache`);
    if (cache.subarray(0, header.length).equals(header)) cachedData = cache.subarray(header.length);
  } catch {
    // none yet
  }
  const script = new Script(source, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) uncached.push({ file, header, script });
  const module_ = { exports: {} };
  script.runInThisContext()(module_.exports, require, module_, file, dir);
  return module_.exports;
}

function saveCaches() {
  cli.restoreV8Flags();
  for (const { file, header, script } of uncached) {
    const temp = `${file}.cache.${process.pid}`;
    try {
      writeFileSync(temp, Buffer.concat([header, script.createCachedData()]));
      renameSync(temp, `${file}.cache`);
    } catch {
      // a read-only install: start-up stays without the cache
      rmSync(temp, { force: true });
    }
  }
}
