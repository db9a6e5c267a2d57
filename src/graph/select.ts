// Which instances a run of named jobs covers: each named job (all instances of a matrix job) and,
// transitively, what it needs.
import type { Job, JobGraph } from "./types.js";

/** The instances that `names` (job or instance names) stand for, without what they need; null for an unknown name. */
export function instancesOf(graph: JobGraph, name: string): string[] | null {
  const family = graph.families[name];
  if (family) return [...family];
  return graph.jobs.some((j) => j.name === name) ? [name] : null;
}

/** The instances to run for `only`, and the names in it that match no job. */
export function selectJobs(
  graph: JobGraph,
  only: readonly string[],
): { selected: Set<string>; unknown: string[] } {
  const byName = new Map(graph.jobs.map((j) => [j.name, j]));
  const selected = new Set<string>();
  const unknown: string[] = [];
  const stack: Job[] = [];
  for (const name of only) {
    const instances = instancesOf(graph, name);
    if (!instances) unknown.push(name);
    else for (const n of instances) stack.push(byName.get(n)!);
  }
  while (stack.length > 0) {
    const job = stack.pop()!;
    if (selected.has(job.name)) continue;
    selected.add(job.name);
    for (const need of job.needs) for (const n of graph.families[need.job] ?? []) stack.push(byName.get(n)!);
  }
  return { selected, unknown };
}

/** Every instance that needs one of `names`, directly or not (not `names` themselves), in plan order. */
export function dependentsOf(graph: JobGraph, names: readonly string[]): string[] {
  const families = new Set(names.map((n) => graph.jobs.find((j) => j.name === n)?.family));
  const out: string[] = [];
  // Plan order is topological: a dependent comes after everything it needs.
  for (const job of graph.jobs) {
    if (names.includes(job.name)) continue;
    if (job.needs.some((n) => families.has(n.job))) {
      out.push(job.name);
      families.add(job.family);
    }
  }
  return out;
}
