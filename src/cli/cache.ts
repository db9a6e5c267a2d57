// `procflow cache info | clean | prune --max-size`: the cache of incremental runs (SPEC §13).
import { existsSync } from "node:fs";
import { cacheDirOf } from "../cache/dir.js";
import { cacheInfo, cleanCache, parseSize, pruneCache } from "../cache/maintain.js";
import { ExitCode } from "../exit-codes.js";
import { writeOut } from "./output.js";

export interface CacheFlags {
  cacheDir?: string;
  maxSize?: string;
  format?: "text" | "json";
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export async function cacheCommand(
  verb: "info" | "clean" | "prune",
  file: string | undefined,
  flags: CacheFlags,
): Promise<number> {
  const dir = cacheDirOf(file, flags.cacheDir);
  const fail = (message: string, code: number = ExitCode.failed) => {
    process.stderr.write(`procflow cache ${verb}: ${message}\n`);
    return code;
  };
  const maxBytes = verb === "prune" ? parseSize(flags.maxSize ?? "") : null;
  if (verb === "prune" && maxBytes === null)
    return fail(`--max-size "${flags.maxSize}" is not a size (use e.g. 500MB, 2GB)`, ExitCode.usage);
  if (!existsSync(dir)) {
    if (flags.format === "json") writeOut(`${JSON.stringify({ dir, entries: 0, blobs: 0, bytes: 0 })}\n`);
    else writeOut(`no cache at ${dir}\n`);
    return ExitCode.ok;
  }
  switch (verb) {
    case "info": {
      const info = await cacheInfo(dir);
      if (flags.format === "json") writeOut(`${JSON.stringify(info)}\n`);
      else writeOut(`${dir}: ${info.entries} entries, ${info.blobs} blobs, ${mb(info.bytes)}\n`);
      return ExitCode.ok;
    }
    case "clean": {
      const done = await cleanCache(dir);
      if (typeof done === "string") return fail(done);
      writeOut(`removed ${done.entries} entries (${mb(done.bytes)}) from ${dir}\n`);
      return ExitCode.ok;
    }
    case "prune": {
      const done = await pruneCache(dir, maxBytes!);
      if (typeof done === "string") return fail(done);
      writeOut(`removed ${done.entries} least recently used entries (${mb(done.bytes)}) from ${dir}\n`);
      return ExitCode.ok;
    }
  }
}
