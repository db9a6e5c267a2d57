// The executor's door to the cache (SPEC §13): a cacheable job's check before it starts and its store
// after it succeeds. The cache's modules are loaded on the first cacheable start, so a run without
// `inputs` loads none of them.

import type {
  CacheHit,
  CacheOptions,
  CacheSession,
  CheckMode,
  OutputChunk,
  ScopeOf,
} from "../cache/session.js";
import type { Unstamped } from "../events.js";
import type { Job, JobGraph } from "../graph/types.js";
import type { EnvBuilder } from "./env.js";

export type { CacheHit, CacheOptions, OutputChunk };

/** A cacheable job's part of the cache. */
export interface JobCache {
  /** Its fingerprint and, on a hit, the entry restored; null when it cannot be cached this time. */
  check(mode: CheckMode): Promise<{ fingerprint: string; hit: CacheHit | null } | null>;
  /** The attempt succeeded: store its lines, outputs and result (unless it printed too much to keep). */
  succeeded(attempt: Storing, result: unknown): Promise<void>;
}

/** Output kept for the cache per attempt at most; a job that prints more is not cached. */
const MAX_KEPT_BYTES = 64 * 1024 * 1024;

/** An attempt of a cacheable job: its fingerprint and the output it keeps for the cache. */
export interface Storing {
  readonly cache: JobCache;
  readonly fingerprint: string;
  readonly lines: OutputChunk[];
  /** Bytes kept so far; over MAX_KEPT_BYTES, nothing is kept and nothing stored. */
  bytes: number;
}

export const startStoring = (cache: JobCache, fingerprint: string): Storing => ({
  cache,
  fingerprint,
  lines: [],
  bytes: 0,
});

/** Keeps one chunk of the attempt's output for the cache. */
export function keep(s: Storing, chunk: OutputChunk): void {
  if (s.bytes > MAX_KEPT_BYTES) return;
  s.bytes += chunk.data.length;
  if (s.bytes > MAX_KEPT_BYTES) s.lines.length = 0;
  else s.lines.push(chunk);
}

/** What a cache hit says, in order: the stored lines replayed, then `job:cached`. */
export function cachedEvents(job: string, fingerprint: string, hit: CacheHit): Unstamped[] {
  const lines = hit.lines.map(
    ({ stream, data }): Unstamped => ({ type: "job:output", job, stream, data, replay: true }),
  );
  // An entry stored without a result (a target that returned nothing) reads as null, as from a command.
  const result = hit.result ?? null;
  return [
    ...lines,
    { type: "job:cached", job, fingerprint, fromRun: hit.fromRun, restored: hit.restored, result },
  ];
}

/** Each job's cache, or null when the job has no `inputs` or the run no cache (`--no-cache`). */
export function cacheHook(
  graph: JobGraph,
  opts: CacheOptions | null,
  env: EnvBuilder,
  runId: string,
  warn: (message: string) => void,
  scope: ScopeOf,
): (job: Job) => JobCache | null {
  let session: Promise<CacheSession> | null = null;
  const open = () => {
    session ??= import("../cache/session.js").then((m) => new m.CacheSession(graph, opts!, env, warn, scope));
    return session;
  };
  return (job) =>
    opts && job.cache
      ? {
          check: async (mode) => {
            try {
              return await (await open()).check(job, mode);
            } catch (e) {
              warn(`${job.name}: the cache could not be read (${(e as Error).message}); it runs`);
              return null;
            }
          },
          succeeded: async (s, result) => {
            if (s.bytes > MAX_KEPT_BYTES)
              warn(`${job.name}: printed over 64 MiB, so its result is not cached`);
            else await (await open()).succeeded(job, s.fingerprint, runId, s.lines, result);
          },
        }
      : null;
}
