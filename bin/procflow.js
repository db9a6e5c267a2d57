#!/usr/bin/env node
// procflow's entry point. The CLI is one CommonJS bundle (scripts/bundle.mjs), compiled here with V8's
// code cache, which Node 20 offers for scripts only: the cache is made by the first run after a build
// (or after Node changed), from all the code that run compiled, and written beside the bundle as
// procflow exits. A cache made from other code or by another V8 is not used, and then made anew.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { setFlagsFromString } from "node:v8";
import { Script } from "node:vm";

const bundle = new URL("../dist/cli-bundle/procflow.cjs", import.meta.url).pathname;
const cacheFile = `${bundle}.cache`;
// V8 takes a cache only from a V8 with the same flags: these are set before compiling, so that they
// are the same when the cache is made (src/load/log-pattern.ts sets them as it loads).
setFlagsFromString("--enable-experimental-regexp-engine");
setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");

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
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
module.exports.main();

function saveCache() {
  const temp = `${cacheFile}.${process.pid}`;
  try {
    writeFileSync(temp, Buffer.concat([header, script.createCachedData()]));
    renameSync(temp, cacheFile);
  } catch {
    // a read-only install: start-up stays without the cache
    rmSync(temp, { force: true });
  }
}
