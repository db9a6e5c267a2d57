// The jobs whose needs are met, waiting for a concurrency slot: highest weight (longest chain of work
// behind it) first, then plan order. Daemons take no slot: they wait only for the next turn.
import type { Job } from "../graph/types.js";

interface Queued {
  readonly job: Job;
  /** Position in the plan. */
  readonly index: number;
}

export class StartQueue<T extends Queued> {
  private readonly jobs: T[] = [];
  private readonly daemons: T[] = [];

  add(item: T): void {
    if (item.job.daemon) {
      this.daemons.push(item);
      return;
    }
    const w = item.job.weight;
    let at = this.jobs.length;
    while (at > 0) {
      const prev = this.jobs[at - 1]!;
      if (prev.job.weight > w || (prev.job.weight === w && prev.index < item.index)) break;
      at--;
    }
    this.jobs.splice(at, 0, item);
  }

  remove(item: T): void {
    const list = item.job.daemon ? this.daemons : this.jobs;
    list.splice(list.indexOf(item), 1);
  }

  /** Every daemon, and as many jobs as there are free slots, in order. */
  take(freeSlots: number): T[] {
    return [...this.daemons.splice(0), ...this.jobs.splice(0, Math.max(0, freeSlots))];
  }

  /** Jobs (not daemons) for which `drop` says so, taken out of the queue. */
  dropJobs(drop: (item: T) => boolean): T[] {
    const dropped = this.jobs.filter(drop);
    for (const item of dropped) this.remove(item);
    return dropped;
  }

  clear(): void {
    this.jobs.length = 0;
    this.daemons.length = 0;
  }
}
