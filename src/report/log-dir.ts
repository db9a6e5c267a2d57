// `--log-dir DIR`: every job's full output in DIR/<job>.log, and the run's events in DIR/run.json
// (`{ "events": [...], "run": <run:end fields>, "logs": { <job>: <file> } }`), both streamed to disk
// as the run goes.
import { createHash } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { Reporter, RunEvent } from "../events.js";
import { makeDir, systemError } from "../write-paths.js";
import { fileSafe } from "./format.js";
import { EventSerializer } from "./serialize.js";

/** Longest readable part of a log file's name (file names are limited to 255 bytes). */
const MAX_BASE = 120;

/**
 * Log file names for a run's jobs, unique per instance and readable: the name made file-safe
 * (`test[os=linux]` → `test_os=linux_.log`), plus a short hash of the real name when that mapping
 * lost something (a character other than the instance brackets replaced, or the name shortened)
 * or when two such names meet: `m[v=a_b]` → `m_v=a_b_.log`, `m[v=a b]` → `m_v=a_b_-86a5b0b1.log`.
 */
export function logFileNames(jobs: readonly string[]): Map<string, string> {
  const bases = jobs.map((job) => {
    const safe = fileSafe(job);
    const unbracketed = job.replace(/\[(.*)\]$/, "$1");
    const lossy = fileSafe(unbracketed) !== unbracketed;
    return { job, base: safe.slice(0, MAX_BASE), lossy: lossy || safe.length > MAX_BASE };
  });
  // Names that lose nothing keep their plain form unless another one maps to it too.
  const count = new Map<string, number>();
  for (const { base, lossy } of bases) if (!lossy) count.set(base, (count.get(base) ?? 0) + 1);
  const files = new Map<string, string>();
  const used = new Set<string>();
  for (const { job, base, lossy } of bases) {
    let name = lossy || count.get(base)! > 1 ? `${base}-${hash(job)}` : base;
    // Two names with the same base and the same hash: not expected, but a file is never shared.
    for (let n = 2; used.has(name); n++) name = `${base}-${hash(job)}-${n}`;
    used.add(name);
    files.set(job, `${name}.log`);
  }
  return files;
}

const hash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 8);

/** `warn`: a file that cannot be written (the folder removed meanwhile) is said once, and the run goes on. */
export function logDirReporter(dir: string, warn: (message: string) => void = () => {}): Reporter {
  makeDir(dir);
  const logs = new Map<string, WriteStream>();
  let files = new Map<string, string>();
  const serializer = new EventSerializer();
  let failed = false;
  const open = (file: string) =>
    createWriteStream(join(dir, file)).on("error", (e) => {
      if (!failed) warn(`--log-dir: ${join(dir, file)} cannot be written: ${systemError(e)}`);
      failed = true;
    });
  const runJson = open("run.json");
  runJson.write('{"events":[');
  let first = true;
  const log = (job: string) => {
    let s = logs.get(job);
    if (!s) {
      // A job that run:start did not list (none is expected) gets a name apart from the others.
      if (!files.has(job)) files.set(job, logFileNames([...files.keys(), job]).get(job)!);
      s = open(files.get(job)!);
      logs.set(job, s);
    }
    return s;
  };
  return {
    event(e: RunEvent) {
      if (e.type === "run:start") {
        files = logFileNames(e.jobs);
        for (const job of e.jobs) log(job);
      }
      if (e.type === "job:output") log(e.job).write(e.data);
      let text = "";
      for (const o of serializer.objects(e)) {
        text += `${first ? "\n" : ",\n"}${JSON.stringify(o)}`;
        first = false;
      }
      runJson.write(text);
      if (e.type === "run:end") {
        const { type: _, time: __, ...run } = e;
        runJson.end(
          `\n],\n"run":${JSON.stringify(run)},\n"logs":${JSON.stringify(Object.fromEntries(files))}}\n`,
        );
      }
    },
    async close() {
      const ended = (s: WriteStream) =>
        new Promise<void>((resolve) => (s.writableFinished ? resolve() : s.end(resolve)));
      await Promise.all([...logs.values(), runJson].map(ended));
    },
  };
}
