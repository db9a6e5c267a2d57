// Where each job of the graph goes. Up to DAGRE_LIMIT jobs, dagre lays the graph out (crossings
// minimised, edges routed); past it, dagre takes seconds (10 s for 1,000 jobs with long edges), so
// the jobs go in columns by depth, each column ordered by where its needs are, edges drawn as curves.
import { graphlib, layout } from "@dagrejs/dagre";
import type { RunModel } from "./model.js";

export const W = 180;
export const H = 46;
const GAP_X = 56;
const GAP_Y = 14;
const DAGRE_LIMIT = 300;

export interface Laid {
  readonly width: number;
  readonly height: number;
  /** Top-left corner of each job's box. */
  readonly nodes: ReadonlyMap<string, { x: number; y: number }>;
  readonly edges: readonly { from: string; to: string; condition: string; d: string }[];
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly condition: string;
}

export function layGraph(model: RunModel): Laid {
  const edges: Edge[] = [];
  for (const job of model.jobs.values())
    for (const need of job.needs)
      for (const from of model.needed(need.job))
        edges.push({ from, to: job.name, condition: need.condition });
  return model.jobs.size <= DAGRE_LIMIT ? withDagre(model, edges) : inColumns(model, edges);
}

function withDagre(model: RunModel, edges: readonly Edge[]): Laid {
  const g = new graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: GAP_Y, ranksep: GAP_X, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const name of model.jobs.keys()) g.setNode(name, { width: W, height: H });
  for (const e of edges) g.setEdge(e.from, e.to, {}, `${e.from}>${e.to}`);
  layout(g);
  const nodes = new Map<string, { x: number; y: number }>();
  for (const name of model.jobs.keys()) {
    const n = g.node(name);
    nodes.set(name, { x: n.x - W / 2, y: n.y - H / 2 });
  }
  const label = g.graph();
  return {
    width: label.width ?? 0,
    height: label.height ?? 0,
    nodes,
    edges: edges.map((e) => {
      const pts: { x: number; y: number }[] =
        g.edge({ v: e.from, w: e.to, name: `${e.from}>${e.to}` }).points ?? [];
      return { ...e, d: pts.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join("") };
    }),
  };
}

function inColumns(model: RunModel, edges: readonly Edge[]): Laid {
  const needs = new Map<string, string[]>();
  for (const e of edges) needs.set(e.to, [...(needs.get(e.to) ?? []), e.from]);
  const depth = new Map<string, number>();
  const depthOf = (job: string): number => {
    let d = depth.get(job);
    if (d === undefined) {
      depth.set(job, 0); // a need cycle cannot pass validation; this only guards the recursion
      d = Math.max(-1, ...(needs.get(job) ?? []).map(depthOf)) + 1;
      depth.set(job, d);
    }
    return d;
  };
  const columns: string[][] = [];
  for (const job of model.jobs.keys()) {
    const column = columns[depthOf(job)] ?? [];
    column.push(job);
    columns[depthOf(job)] = column;
  }
  const row = new Map<string, number>();
  for (const column of columns) {
    const at = (job: string) => {
      const from = (needs.get(job) ?? []).map((n) => row.get(n) ?? 0);
      return from.length ? from.reduce((a, b) => a + b, 0) / from.length : 0;
    };
    column.sort((a, b) => at(a) - at(b));
    for (const [i, job] of column.entries()) row.set(job, i);
  }
  const nodes = new Map<string, { x: number; y: number }>();
  for (const [job, r] of row) nodes.set(job, { x: 8 + depthOf(job) * (W + GAP_X), y: 8 + r * (H + GAP_Y) });
  return {
    width: 16 + columns.length * (W + GAP_X) - GAP_X,
    height: 16 + Math.max(...columns.map((c) => c.length)) * (H + GAP_Y) - GAP_Y,
    nodes,
    edges: edges.map((e) => {
      const a = nodes.get(e.from)!;
      const b = nodes.get(e.to)!;
      const [x1, y1, x2, y2] = [a.x + W, a.y + H / 2, b.x, b.y + H / 2];
      return { ...e, d: `M${x1},${y1}C${x1 + GAP_X},${y1} ${x2 - GAP_X},${y2} ${x2},${y2}` };
    }),
  };
}
