// File changes → restart requests (SPEC §12): one quiet period per job (each change starts it over),
// then one request on the run's door. Requests go one at a time: changes that come while one is being
// done lead to exactly one more afterwards, and never to two processes of one job.
import { relative } from "node:path";
import type { FileChange, RunControl } from "../run/control.js";
import type { Target } from "./targets.js";

const MAX_PATHS = 20;

interface Changed {
  readonly target: Target;
  /** Paths relative to the job's cwd, in the order they changed. */
  readonly paths: Set<string>;
}

export class Restarts {
  private control: RunControl | null = null;
  /** Per job (as written): its quiet period, and the instances it concerns so far. */
  private readonly quiet = new Map<string, { timer: NodeJS.Timeout; changed: Map<string, Changed> }>();
  /** Instances whose quiet period is over, waiting for their request. */
  private readonly due = new Map<string, Changed>();
  private busy = false;
  private closed = false;

  connect(control: RunControl): void {
    this.control = control;
    this.flush();
  }

  /** A watched file of `target` was created, changed or deleted. */
  changed(target: Target, path: string): void {
    if (this.closed) return;
    const { job } = target;
    const family = this.quiet.get(job.family);
    if (family) clearTimeout(family.timer);
    const changed = family?.changed ?? new Map<string, Changed>();
    const timer = setTimeout(() => this.over(job.family), job.watch!.debounceMs);
    this.quiet.set(job.family, { timer, changed });
    const entry = changed.get(job.name) ?? { target, paths: new Set<string>() };
    entry.paths.add(relative(job.cwd, path));
    changed.set(job.name, entry);
  }

  close(): void {
    this.closed = true;
    for (const { timer } of this.quiet.values()) clearTimeout(timer);
    this.quiet.clear();
    this.due.clear();
  }

  private over(family: string) {
    const { changed } = this.quiet.get(family)!;
    this.quiet.delete(family);
    for (const [name, entry] of changed) {
      const before = this.due.get(name);
      if (before) for (const p of entry.paths) before.paths.add(p);
      else this.due.set(name, entry);
    }
    // Quiet periods that end together (one change, several jobs) make one request.
    setImmediate(() => this.flush());
  }

  private flush() {
    if (this.busy || this.closed || !this.control || this.due.size === 0) return;
    const entries = [...this.due.values()];
    this.due.clear();
    this.busy = true;
    void this.send(this.control, entries).finally(() => {
      this.busy = false;
      this.flush();
    });
  }

  /** One request for the jobs that cascade, one for those that do not. */
  private async send(control: RunControl, entries: Changed[]) {
    for (const cascade of [true, false]) {
      const group = entries.filter((e) => e.target.job.watch!.cascade === cascade);
      if (group.length === 0) continue;
      const changes: FileChange[] = group.map((e) => ({
        job: e.target.job.name,
        paths: [...e.paths].slice(0, MAX_PATHS),
        count: e.paths.size,
      }));
      await control.command({
        verb: "restart",
        jobs: changes.map((c) => c.job),
        withDependents: cascade,
        reason: "watch",
        changes,
      });
    }
  }
}
