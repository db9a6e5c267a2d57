// The cache's part in one run (SPEC §13): a cacheable job's fingerprint at each start, the lookup and
// restore that let it end `cached`, and the store after it succeeded. Loaded only when a job has `inputs`.
import { arch, platform } from "node:os";
import { dirname, isAbsolute, join, relative } from "node:path";
import type { Scope } from "../expr/evaluate.js";
import { expand } from "../expr/template.js";
import type { Job, JobGraph } from "../graph/types.js";
import { jobArgv, readsNoNeeds, targetArgs } from "../run/argv.js";
import type { EnvBuilder } from "../run/env.js";
import { digests, findFiles, hashFile } from "./files.js";
import { CACHE_FORMAT, fingerprint, type NeedPrint } from "./fingerprint.js";
import { decodeLog, encodeLog, type OutputChunk } from "./log.js";
import { restoreOutputs } from "./restore.js";
import { CacheStore, type StoredOutput } from "./store.js";

export type { OutputChunk };

export interface CacheOptions {
  readonly dir: string;
  /** `--force`: no job reads the cache (all still store). */
  readonly forceAll?: boolean;
  /** `--force-job`: these jobs (names or instance names) do not read it. */
  readonly forceJobs?: readonly string[];
}

export interface CacheHit {
  readonly fromRun: string;
  readonly restored: number;
  readonly lines: readonly OutputChunk[];
  readonly result?: unknown;
}

/** How a start reads the cache: `start` does, `request` (ctl, watch) does not, `peek` (dry run) only looks. */
export type CheckMode = "start" | "request" | "peek";

/** `${{ run.id }}` counts as written: every run has its own. */
const RUN_ID_AS_WRITTEN = "${{ run.id }}";

/** The values a job's expressions see at its start (in a run: its needs' results too). */
export type ScopeOf = (job: Job, env: Readonly<Record<string, string>>) => Scope;

export class CacheSession {
  readonly store: CacheStore;
  private readonly root: string;
  /** Instance → the fingerprint of its last start. */
  private readonly prints = new Map<string, string>();
  /** Instances whose last start ended succeeded or cached. */
  private readonly ok = new Set<string>();

  /**
   * `scope`: what a run's jobs see (their needs' results too). Without it (the dry run, before any
   * job has run), results stay as written, and a job that reads one never matches an entry.
   */
  constructor(
    private readonly graph: JobGraph,
    private readonly opts: CacheOptions,
    private readonly env: EnvBuilder,
    private readonly warn: (message: string) => void,
    private readonly scope?: ScopeOf,
  ) {
    this.store = new CacheStore(opts.dir);
    this.root = dirname(graph.file);
  }

  /**
   * The job's fingerprint, and the entry it restored (outputs written back, log read) when the
   * cache has one; null when the job cannot be cached now (it needs a job that was not).
   */
  async check(job: Job, mode: CheckMode): Promise<{ fingerprint: string; hit: CacheHit | null } | null> {
    this.ok.delete(job.name);
    this.prints.delete(job.name);
    const print = await this.fingerprintOf(job);
    if (print === null) return null;
    this.prints.set(job.name, print);
    if (mode === "request" || this.forced(job)) return { fingerprint: print, hit: null };
    const hit = mode === "peek" ? await this.peek(print) : await this.lookup(job, print);
    if (hit) this.ok.add(job.name);
    return { fingerprint: print, hit };
  }

  /** The job succeeded: its lines, outputs and result are stored under its fingerprint. */
  async succeeded(job: Job, print: string, runId: string, lines: readonly OutputChunk[], result: unknown) {
    this.ok.add(job.name);
    try {
      const log = lines.length > 0 ? await this.store.putBytes(encodeLog(lines)) : null;
      const { files, unmatched } = await findFiles(job.cwd, job.cache!.outputs, this.ownFolders(job.cwd));
      for (const p of unmatched) this.warn(`${job.name}: outputs pattern ${p} matched no file`);
      const outputs: StoredOutput[] = [];
      for (const f of files)
        outputs.push(
          f.kind === "link"
            ? { path: f.path, link: f.target }
            : { path: f.path, blob: await this.store.putFile(join(job.cwd, f.path)), mode: f.mode },
        );
      await this.store.putEntry({
        format: CACHE_FORMAT,
        fingerprint: print,
        job: job.name,
        runId,
        createdAt: Date.now(),
        log,
        outputs,
        ...(result === undefined ? {} : { result }),
      });
    } catch (e) {
      this.warn(`${job.name}: its result was not cached: ${(e as Error).message}`);
    }
  }

  /**
   * procflow's own folders under `cwd`, as patterns that leave them out of a job's inputs and outputs:
   * the cache (its entries would change the fingerprint they are stored under) and `.procflow`.
   */
  private ownFolders(cwd: string): string[] {
    const out: string[] = [];
    for (const dir of [this.opts.dir, join(this.root, ".procflow")]) {
      const rel = relative(cwd, dir);
      if (rel !== "" && !rel.startsWith("..") && !isAbsolute(rel)) out.push(`${rel}/**`);
    }
    return out;
  }

  private forced(job: Job): boolean {
    const named = this.opts.forceJobs ?? [];
    return (this.opts.forceAll ?? false) || named.includes(job.name) || named.includes(job.family);
  }

  private async fingerprintOf(job: Job): Promise<string | null> {
    const needs: NeedPrint[] = [];
    for (const need of job.needs)
      for (const name of this.graph.families[need.job] ?? []) {
        const print = this.prints.get(name);
        if (print === undefined) return null; // not cacheable, or never started: a marker that never matches
        const settled = need.condition === "started" || need.condition === "ready";
        needs.push({
          job: name,
          condition: need.condition,
          fingerprint: print,
          ...(settled ? {} : { ok: this.ok.has(name) }),
        });
      }
    // The environment, argv and target's arguments as the job gets them (job-runner.ts builds them
    // alike): a result of a need it reads counts (a producer run again may return another), the
    // run's id does not.
    const only = this.scope ? undefined : readsNoNeeds;
    const scopeOf = (env: Readonly<Record<string, string>>) => ({
      ...(this.scope?.(job, env) ?? { env, matrix: job.matrix ?? {}, job: { name: job.name } }),
      run: { id: RUN_ID_AS_WRITTEN },
    });
    const declared = this.env.declared(job);
    const full = this.env.forJob(job, 1, (value, soFar) => expand(value, scopeOf(soFar), only));
    if (!declared.ok || !full.ok) return null; // the start fails and says why
    const scope = scopeOf(full.env);
    const argv = job.argv ? jobArgv(job, scope, only) : null;
    const args = job.target ? targetArgs(job.target.args, scope, only) : null;
    const env: Record<string, string> = {};
    for (const k in declared.env) env[k] = full.env[k]!;
    const spec = job.cache!;
    const ignore = [...spec.outputs, ...this.ownFolders(job.cwd)];
    const { files, unmatched } = await findFiles(job.cwd, spec.inputs, ignore);
    for (const p of unmatched) this.warn(`${job.name}: inputs pattern ${p} matches no file`);
    const inputsEnv: Record<string, string | null> = {};
    for (const k of spec.inputsEnv) inputsEnv[k] = process.env[k] ?? null;
    return fingerprint({
      platform: platform(),
      arch: arch(),
      argv: argv?.ok ? argv.argv : null,
      shell: job.shell,
      target: job.target && {
        module: await hashFile(job.target.module).catch(() => "missing"),
        export: job.target.export,
        args: args?.ok ? args.args : job.target.args,
      },
      cwd: relative(this.root, job.cwd),
      env,
      inputsEnv,
      matrix: job.matrix,
      files: await digests(job.cwd, files),
      needs,
    });
  }

  /** The dry run's question: is there an entry that reads back? */
  private async peek(print: string): Promise<CacheHit | null> {
    const entry = await this.store.read(print, false);
    return entry && typeof entry !== "string"
      ? { fromRun: entry.runId, restored: 0, lines: [], result: entry.result }
      : null;
  }

  private async lookup(job: Job, print: string): Promise<CacheHit | null> {
    const entry = await this.store.read(print);
    if (entry === null) return null;
    const distrust = async (why: string, blob?: string) => {
      this.warn(`${job.name}: ignoring its cache entry ${print.slice(0, 12)} (${why}); it runs`);
      await this.store.forget(print, blob);
      return null;
    };
    if (typeof entry === "string") return distrust(entry);
    const log = entry.log === null ? Buffer.alloc(0) : await this.store.readBlob(entry.log);
    if (typeof log === "string") return distrust(log, entry.log!);
    const lines = decodeLog(log);
    if (lines === null) return distrust("its output log is damaged", entry.log!);
    const restore = await restoreOutputs(this.store, this.root, job.cwd, entry.outputs);
    if ("error" in restore) {
      if (restore.blob) return distrust(restore.error, restore.blob);
      this.warn(`${job.name}: ${restore.error}; it runs`);
      return null;
    }
    return {
      fromRun: entry.runId,
      restored: restore.restored,
      lines,
      ...("result" in entry ? { result: entry.result } : {}),
    };
  }
}
