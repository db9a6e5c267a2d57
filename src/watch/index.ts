// `procflow run --watch` (SPEC §12): watches the files named by the jobs' `watch` patterns and turns
// their changes into restart requests on the run's one door. Only runs with --watch load this module.
import { type FSWatcher, watch } from "chokidar";
import type { Job } from "../graph/types.js";
import type { RunControl } from "../run/control.js";
import { Restarts } from "./restarts.js";
import { Targets } from "./targets.js";

export interface Watching {
  /** Starts turning changes into requests on the run's door. */
  connect(control: RunControl): void;
  close(): Promise<void>;
}

export interface WatchOptions {
  /** The run's instances (those with `watch` are watched). */
  readonly jobs: readonly Job[];
  /** Absolute paths never watched: the log folder, the JUnit file, the state folder, the job file. */
  readonly ignored: readonly string[];
  warn(message: string): void;
}

/** The system's limit on watches (inotify) or open files: polling goes on where watching cannot. */
const LIMITS = new Set(["ENOSPC", "EMFILE"]);

/** Watches until closed; resolves once the initial scan is done, so no change after the run's start is missed. */
export async function startWatching(opts: WatchOptions): Promise<Watching> {
  const targets = new Targets(opts.jobs, opts.ignored);
  const restarts = new Restarts();
  let watcher: FSWatcher | null = null;
  let polling = false;

  const open = async (usePolling: boolean) => {
    const w = watch(targets.roots(), {
      ignoreInitial: true,
      usePolling,
      ignored: (path: string) => targets.skip(path),
    });
    w.on("all", (event, path) => {
      if (event !== "add" && event !== "change" && event !== "unlink") return;
      for (const target of targets.concerned(path)) restarts.changed(target, path);
    });
    w.on("error", (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (polling || !code || !LIMITS.has(code)) return opts.warn(`watch: ${(e as Error).message}`);
      polling = true;
      opts.warn(`watch: the system's limit on file watches is reached (${code}); polling instead`);
      void w.close().then(() => open(true));
    });
    watcher = w;
    await new Promise<void>((resolve) => w.once("ready", () => resolve()));
  };
  if (targets.bases.length > 0) await open(false);
  else
    opts.warn("--watch: no job of this run has `watch`; it keeps running until Ctrl-C or `procflow ctl end`");

  return {
    connect: (control) => restarts.connect(control),
    async close() {
      restarts.close();
      await watcher?.close();
    },
  };
}
