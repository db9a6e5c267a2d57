// `--rerun-failed <run.json>` (SPEC §16): which jobs of an earlier run did not succeed, so that this
// run starts only those, what needs them, and the daemons they need; every other job is reused. A
// job to reuse whose definition changed since is an error: its earlier success proves nothing now.
import { readFileSync } from "node:fs";
import type { JobGraph } from "../graph/types.js";
import { definitionHash } from "./definition.js";

/** A job's success taken from an earlier run. */
export interface Reused {
  readonly fromRun: string;
  readonly result: unknown;
}

/** What a run.json says of its run; a run.json cut short by a killed run still says it. */
export interface EarlierRun {
  readonly runId: string;
  readonly file: string;
  readonly definitions: Readonly<Record<string, string>>;
  /** Instances whose last word was a success (succeeded, reused, cached; a daemon stopped at the end). */
  readonly succeeded: ReadonlySet<string>;
  /** Each instance's last result. */
  readonly results: ReadonlyMap<string, unknown>;
  /** A matrix built at run time: its placeholder → the instances it became. */
  readonly grown: ReadonlyMap<string, readonly string[]>;
}

type Event = { type?: string; job?: string; state?: string; result?: unknown } & Record<string, unknown>;

export function readRun(path: string): EarlierRun | { error: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return { error: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  const start = events(text).find((e) => e.type === "run:start");
  if (!start) return { error: `${path} is not a run.json of procflow (no run:start event)` };
  const last = new Map<string, string>();
  const results = new Map<string, unknown>();
  const grown = new Map<string, readonly string[]>();
  const daemons = new Set((start.daemons as string[] | undefined) ?? []);
  for (const e of events(text)) {
    if (typeof e.job !== "string") continue;
    if (e.type === "job:start") last.set(e.job, "running");
    else if (e.type === "job:exit") last.set(e.job, e.state ?? "failed");
    else if (e.type === "job:skip") last.set(e.job, "skipped");
    else if (e.type === "job:reused" || e.type === "job:cached") last.set(e.job, "succeeded");
    if ("result" in e && e.type !== "job:start") results.set(e.job, e.result);
    if (e.type === "job:matrix" && typeof e.placeholder === "string" && Array.isArray(e.instances))
      grown.set(e.placeholder, e.instances as string[]);
  }
  const succeeded = new Set<string>();
  for (const [job, state] of last)
    if (state === "succeeded" || (state === "stopped" && daemons.has(job))) succeeded.add(job);
  return {
    runId: String(start.runId),
    file: String(start.file),
    definitions: (start.definitions as Record<string, string> | undefined) ?? {},
    succeeded,
    results,
    grown,
  };
}

/** The events of a run.json: each on a line of its own, so a file cut short loses only its last one. */
function events(text: string): Event[] {
  try {
    return (JSON.parse(text) as { events: Event[] }).events;
  } catch {
    const out: Event[] = [];
    for (const line of text.split("\n")) {
      const json = line.replace(/^,|,$/g, "");
      if (!json.startsWith("{")) continue;
      try {
        out.push(JSON.parse(json) as Event);
      } catch {}
    }
    return out;
  }
}

/**
 * The jobs to reuse: all but those that did not succeed there, what needs them (transitively), and
 * every job a running job needs started or ready — or, when one of the jobs to reuse changed since,
 * the message for it. A matrix built at run time is built again (its instances exist only then);
 * when what it reads is reused, it becomes the same instances, and those that succeeded are reused
 * as they come (the executor looks them up by name).
 */
export function planRerun(
  graph: JobGraph,
  earlier: EarlierRun,
): { reuse: Map<string, Reused> } | { error: string } {
  if (earlier.file !== graph.file)
    return { error: `that run was of ${earlier.file}, not of ${graph.file}: rerun it with its own file` };
  /**
   * Whether a job did not succeed there. A dynamic matrix's placeholder: when one of its instances
   * did not, or, built into none, when it did not under its bare name (an empty list, or a failure).
   */
  const didNotSucceed = (job: JobGraph["jobs"][number]) => {
    const grown = earlier.grown.get(job.name);
    if (!grown) return !earlier.succeeded.has(job.name);
    return grown.length === 0
      ? !earlier.succeeded.has(job.family)
      : grown.some((i) => !earlier.succeeded.has(i));
  };
  // Instances that run; a need on a family is touched when any of its instances runs.
  const runs = new Set(graph.jobs.filter((j) => !j.daemon && didNotSucceed(j)).map((j) => j.name));
  const touched = (family: string) => graph.families[family]?.some((i) => runs.has(i)) ?? false;
  for (let grew = true; grew; ) {
    grew = false;
    const add = (name: string) => {
      if (runs.has(name)) return;
      runs.add(name);
      grew = true;
    };
    for (const job of graph.jobs) {
      if (runs.has(job.name)) {
        for (const n of job.needs)
          if (n.condition === "started" || n.condition === "ready")
            for (const i of graph.families[n.job] ?? []) add(i);
      } else if (job.needs.some((n) => touched(n.job))) add(job.name);
    }
  }
  const reuse = new Map<string, Reused>();
  const changed: string[] = [];
  const reused = (name: string) =>
    reuse.set(name, { fromRun: earlier.runId, result: earlier.results.get(name) ?? null });
  for (const job of graph.jobs) {
    const instances = earlier.grown.get(job.name);
    if (instances) {
      // Built again from the same results (what it needs is reused): its succeeded instances are too.
      if (job.needs.some((n) => touched(n.job))) continue;
      const ok = instances.filter((i) => earlier.succeeded.has(i));
      if (ok.length > 0 && earlier.definitions[job.name] !== definitionHash(job)) changed.push(job.name);
      for (const i of ok) reused(i);
      continue;
    }
    if (runs.has(job.name) || !earlier.succeeded.has(job.name)) continue;
    if (earlier.definitions[job.name] !== definitionHash(job)) changed.push(job.name);
    reused(job.name);
  }
  if (changed.length > 0)
    return { error: `${changed.join(", ")} changed since run ${earlier.runId}: run the file whole` };
  return { reuse };
}
