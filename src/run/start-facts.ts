// What `run:start` says of the graph, so that every reporter (and a `-o json` reader) works from
// events alone: which jobs are daemons, how each job's command is shown, what each one needs, the
// hash of each one's definition, the ports picked for it, and the descriptions the file gives.
import { dirname, relative } from "node:path";
import type { EventOf } from "../events.js";
import type { Job, JobGraph } from "../graph/types.js";
import { definitionHash } from "./definition.js";

type Facts = Pick<
  EventOf<"run:start">,
  "daemons" | "commands" | "needs" | "definitions" | "ports" | "description" | "descriptions"
>;

export function runStartFacts(graph: JobGraph, selected: ReadonlySet<string>, ports: Facts["ports"]): Facts {
  const dir = dirname(graph.file);
  const daemons: string[] = [];
  const commands: Record<string, string> = {};
  const needs: Record<string, Facts["needs"][string]> = {};
  const definitions: Record<string, string> = {};
  const descriptions: Record<string, string> = {};
  for (const job of graph.jobs) {
    if (!selected.has(job.name)) continue;
    if (job.daemon) daemons.push(job.name);
    commands[job.name] = displayCommand(job, dir);
    needs[job.name] = job.needs.map((n) => ({ job: n.job, condition: n.condition }));
    definitions[job.name] = definitionHash(job);
    if (job.description) descriptions[job.name] = job.description;
  }
  // Optional (SPEC §18 lists no such field): only a file that has descriptions adds them.
  return {
    daemons,
    commands,
    needs,
    definitions,
    ports,
    ...(graph.description ? { description: graph.description } : {}),
    ...(Object.keys(descriptions).length > 0 ? { descriptions } : {}),
  };
}

/** A target as `target ./module.mjs#export(args)`; a command as its argv as written. */
function displayCommand(job: Job, dir: string): string {
  if (!job.target) return job.argv!.join(" ");
  const module = relative(dir, job.target.module);
  const args = JSON.stringify(job.target.args).slice(1, -1);
  return `target ${module.startsWith(".") ? module : `./${module}`}#${job.target.export}(${args})`;
}
