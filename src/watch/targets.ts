// Which watched jobs a changed file concerns (SPEC §12): each instance's patterns and ignores, what is
// always ignored, and which folders the file watcher must look at (the patterns' static bases).
import { existsSync } from "node:fs";
import { basename, dirname, relative, sep } from "node:path";
import type { Job } from "../graph/types.js";
import { type CompiledGlob, compileGlob, within } from "../load/globs.js";

/** One instance with `watch`, its patterns compiled against its cwd. */
export interface Target {
  readonly job: Job;
  readonly paths: readonly CompiledGlob[];
  readonly ignore: readonly CompiledGlob[];
  /** A pattern names node_modules, so changes under it count. */
  readonly namesNodeModules: boolean;
}

/** Folders never watched, wherever they are. */
const NEVER = new Set([".git", ".procflow"]);
const NODE_MODULES = "node_modules";

export class Targets {
  readonly list: readonly Target[];
  /** What the watcher watches: each pattern's static base, none under another one's folder. */
  readonly bases: readonly string[];
  private readonly anyNodeModules: boolean;

  /** `ignored`: absolute paths never watched (the log folder, the JUnit file, the state folder, job files). */
  constructor(
    jobs: readonly Job[],
    private readonly ignored: readonly string[],
  ) {
    const cache = new Map<string, CompiledGlob>();
    const compile = (pattern: string, cwd: string) => {
      const key = `${cwd}\0${pattern}`;
      if (!cache.has(key)) cache.set(key, compileGlob(pattern, cwd));
      return cache.get(key)!;
    };
    this.list = jobs.flatMap((job) =>
      job.watch
        ? [
            {
              job,
              paths: job.watch.paths.map((p) => compile(p, job.cwd)),
              // A job's own outputs (SPEC §13) never restart it.
              ignore: [...job.watch.ignore, ...(job.cache?.outputs ?? [])].map((p) => compile(p, job.cwd)),
              namesNodeModules: job.watch.paths.some((p) => p.includes(NODE_MODULES)),
            },
          ]
        : [],
    );
    this.anyNodeModules = this.list.some((t) => t.namesNodeModules);
    const globs = [...new Set(this.list.flatMap((t) => t.paths))].sort(
      (a, b) => a.base.length - b.base.length,
    );
    const kept: CompiledGlob[] = [];
    for (const g of globs) if (!kept.some((k) => within(g.base, k.base))) kept.push(g);
    this.bases = [...new Set(kept.map((g) => g.base))];
  }

  /** The instances whose patterns match a created, changed or deleted file (absolute path). */
  concerned(path: string): Target[] {
    return this.list.filter(
      (t) =>
        t.paths.some((g) => g.matches(path)) &&
        !t.ignore.some((g) => g.matches(path)) &&
        (t.namesNodeModules || !underNodeModules(path, t.job.cwd)),
    );
  }

  /**
   * The folders to hand the watcher: each base's folder (the base itself when it is a job's own
   * folder), or the nearest existing one. A base watched from its folder is seen again when it is
   * removed and made again (a checkout, `rm -rf src` and a new copy); a folder that appears under a
   * watched one is scanned as it appears.
   */
  roots(): string[] {
    const cwds = new Set(this.list.map((t) => t.job.cwd));
    const found = this.bases.map((b) => {
      let p = cwds.has(b) ? b : dirname(b);
      while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
      return p;
    });
    return [...new Set(found)].filter((r, _, all) => !all.some((o) => o !== r && within(r, o)));
  }

  /** Whether the watcher may skip a path and everything under it. */
  skip(path: string): boolean {
    const name = basename(path);
    if (NEVER.has(name) || (name === NODE_MODULES && !this.anyNodeModules)) return true;
    if (this.ignored.some((i) => within(path, i))) return true;
    // Only what lies under a base, or on the way to one, can matter.
    return !this.bases.some((b) => within(path, b) || within(b, path));
  }
}

const underNodeModules = (path: string, cwd: string) => relative(cwd, path).split(sep).includes(NODE_MODULES);
