// JobGraph → Mermaid, Graphviz dot, or JSON, for `procflow graph`.
import type { Condition, Job, JobGraph } from "./types.js";

export type GraphFormat = "mermaid" | "dot" | "json";

/** One node per job in the file: a matrix job is drawn once, with its instance count. */
interface Node {
  id: string;
  label: string;
  description: string | null;
  daemon: boolean;
  needs: { job: string; condition: Condition }[];
}

function nodes(graph: JobGraph): Node[] {
  const first = new Map<string, Job>();
  for (const job of graph.jobs) if (!first.has(job.family)) first.set(job.family, job);
  return [...first.values()].map((job) => {
    const count = graph.families[job.family]!.length;
    return {
      id: job.family,
      // A dynamic matrix is one placeholder node (`test[shard=…]`) until the run builds it.
      label: `${job.dynamicMatrix ? job.name : job.family}${job.matrix && !job.dynamicMatrix ? ` ×${count}` : ""}${job.daemon ? " (daemon)" : ""}`,
      description: job.description,
      daemon: job.daemon,
      needs: job.needs.map((n) => ({ job: n.job, condition: n.condition })),
    };
  });
}

const isDefault = (condition: Condition, neededIsDaemon: boolean) =>
  condition === (neededIsDaemon ? "ready" : "success");

export function renderGraph(graph: JobGraph, format: GraphFormat): string {
  const ns = nodes(graph);
  const daemon = new Map(ns.map((n) => [n.id, n.daemon]));
  const ids = new Map(ns.map((n, i) => [n.id, `j${i}`]));
  switch (format) {
    case "json":
      return `${JSON.stringify(
        {
          name: graph.name,
          ...(graph.description ? { description: graph.description } : {}),
          jobs: graph.jobs.map((j) => ({
            name: j.name,
            job: j.family,
            daemon: j.daemon,
            needs: j.needs,
            weight: j.weight,
            ...(j.cache
              ? { inputs: j.cache.inputs, outputs: j.cache.outputs, inputs_env: j.cache.inputsEnv }
              : {}),
            ...(j.description ? { description: j.description } : {}),
            ...(j.watch ? { watch: j.watch } : {}),
          })),
        },
        null,
        2,
      )}\n`;
    case "mermaid": {
      // The descriptions (SPEC §1): the file's as the chart's title, a job's under its name.
      const text = (s: string) => s.replace(/"/g, "#quot;").replace(/\n/g, " ");
      const lines = graph.description
        ? [
            "---",
            `title: ${JSON.stringify(`${graph.name}: ${graph.description.trim()}`)}`,
            "---",
            "flowchart LR",
          ]
        : ["flowchart LR"];
      for (const n of ns) {
        const label =
          text(n.label) + (n.description ? `<br/><small>${text(n.description.trim())}</small>` : "");
        lines.push(n.daemon ? `  ${ids.get(n.id)}(["${label}"])` : `  ${ids.get(n.id)}["${label}"]`);
      }
      for (const n of ns)
        for (const need of n.needs) {
          const arrow = isDefault(need.condition, daemon.get(need.job)!) ? "-->" : `-.->|${need.condition}|`;
          lines.push(`  ${ids.get(need.job)} ${arrow} ${ids.get(n.id)}`);
        }
      return `${lines.join("\n")}\n`;
    }
    case "dot": {
      const q = (s: string) => JSON.stringify(s);
      const lines = [`digraph ${q(graph.name)} {`, "  rankdir=LR;"];
      if (graph.description) lines.push(`  label=${q(graph.description.trim())}; labelloc=t;`);
      for (const n of ns) {
        const label = n.description ? `${n.label}\n${n.description.trim()}` : n.label;
        lines.push(`  ${q(n.id)} [label=${q(label)}${n.daemon ? ", shape=box, style=rounded" : ""}];`);
      }
      for (const n of ns)
        for (const need of n.needs) {
          const attrs = isDefault(need.condition, daemon.get(need.job)!)
            ? ""
            : ` [style=dashed, label=${q(need.condition)}]`;
          lines.push(`  ${q(need.job)} -> ${q(n.id)}${attrs};`);
        }
      lines.push("}");
      return `${lines.join("\n")}\n`;
    }
  }
}
