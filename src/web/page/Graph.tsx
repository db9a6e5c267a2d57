// The job graph (laid out by layout.ts): a node per job (coloured by state, with duration and attempt;
// daemons drawn dashed), an edge per need (its condition written when it is not `success`).
import { useEffect, useState } from "preact/hooks";
import { H, type Laid, layGraph, W } from "./layout.js";
import { formatMs, type RunModel } from "./model.js";
import { selects } from "./selects.js";

export function Graph(props: {
  model: RunModel;
  now: number;
  selected: string | null;
  select: (job: string) => void;
}) {
  const { model, now, selected, select } = props;
  const [laid, setLaid] = useState<Laid | null>(null);
  // A graph a little wider than its pane is shrunk to fit; a big one is shown at full size, scrolled.
  const [fit, setFit] = useState<boolean | null>(null);
  const size = model.jobs.size;
  // The jobs are known from run:start on; lay them out once, after the first paint.
  useEffect(() => {
    if (size === 0) return;
    const t = setTimeout(() => setLaid(layGraph(model)), 0);
    return () => clearTimeout(t);
  }, [model, size]);
  if (!laid)
    return <div class="graph empty">{size ? "laying out the graph…" : "waiting for the run to start…"}</div>;
  const fitted = fit ?? laid.width <= 1600;
  return (
    <div class="graph">
      <button type="button" class="zoom" onClick={() => setFit(!fitted)}>
        {fitted ? "100%" : "fit"}
      </button>
      <svg
        width={laid.width}
        height={laid.height}
        viewBox={`0 0 ${laid.width} ${laid.height}`}
        class={fitted ? "fit" : ""}
        role="img"
        aria-label="job graph"
      >
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
