// The job graph laid out by dagre: a node per job (coloured by state, with duration and attempt;
// daemons drawn dashed), an edge per need (its condition written when it is not `success`).
import { graphlib, layout } from "@dagrejs/dagre";
import { useEffect, useState } from "preact/hooks";
import { formatMs, type RunModel } from "./model.js";
import { selects } from "./selects.js";

const W = 180;
const H = 46;

interface Laid {
  readonly width: number;
  readonly height: number;
  readonly nodes: ReadonlyMap<string, { x: number; y: number }>;
  readonly edges: readonly { from: string; to: string; condition: string; d: string }[];
}

function lay(model: RunModel): Laid {
  const g = new graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 56, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const name of model.jobs.keys()) g.setNode(name, { width: W, height: H });
  const edges: { from: string; to: string; condition: string }[] = [];
  for (const job of model.jobs.values())
    for (const need of job.needs)
      for (const from of model.needed(need.job)) {
        g.setEdge(from, job.name, {}, `${from}>${job.name}`);
        edges.push({ from, to: job.name, condition: need.condition });
      }
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
      const pts = g.edge({ v: e.from, w: e.to, name: `${e.from}>${e.to}` }).points ?? [];
      return {
        ...e,
        d: pts.map((p: { x: number; y: number }, i: number) => `${i ? "L" : "M"}${p.x},${p.y}`).join(""),
      };
    }),
  };
}

export function Graph(props: {
  model: RunModel;
  now: number;
  selected: string | null;
  select: (job: string) => void;
}) {
  const { model, now, selected, select } = props;
  const [laid, setLaid] = useState<Laid | null>(null);
  const size = model.jobs.size;
  // The jobs are known from run:start on; lay them out once, after the first paint.
  useEffect(() => {
    if (size === 0) return;
    const t = setTimeout(() => setLaid(lay(model)), 0);
    return () => clearTimeout(t);
  }, [model, size]);
  if (!laid)
    return <div class="graph empty">{size ? "laying out the graph…" : "waiting for the run to start…"}</div>;
  return (
    <div class="graph">
      <svg width={laid.width} height={laid.height} role="img" aria-label="job graph">
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 8 8"
            refX="8"
            refY="4"
            markerWidth="8"
            markerHeight="8"
            orient="auto"
          >
            <path d="M0,0L8,4L0,8z" />
          </marker>
        </defs>
        {laid.edges.map((e) => (
          <g class={`edge c-${e.condition}`} key={`${e.from}>${e.to}`}>
            <path d={e.d} marker-end="url(#arrow)" />
            {e.condition !== "success" && <title>{`needs ${e.from}: ${e.condition}`}</title>}
          </g>
        ))}
        {[...model.jobs.values()].map((job) => {
          const at = laid.nodes.get(job.name)!;
          const ms = model.duration(job, now);
          const attempt = job.attempts.length > 1 ? ` · #${job.attempts.at(-1)!.attempt}` : "";
          return (
            <g
              key={job.name}
              class={`node s-${job.state}${job.daemon ? " daemon" : ""}${selected === job.name ? " selected" : ""}`}
              transform={`translate(${at.x},${at.y})`}
              data-job={job.name}
              data-state={job.state}
              {...selects(() => select(job.name))}
            >
              <title>{`${job.name}: ${job.state}${job.daemon ? " (daemon)" : ""}`}</title>
              <rect width={W} height={H} rx="6" />
              <text x="10" y="19" class="name">
                {clip(job.name, 22)}
              </text>
              <text x="10" y="36" class="meta">
                {`${job.daemon ? "◆ " : ""}${job.state}${ms === null ? "" : ` · ${formatMs(ms)}`}${attempt}`}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
