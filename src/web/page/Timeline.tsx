// Every attempt of every job on one time axis, from the run's start to its end (or now).

import { formatMs, type RunModel } from "./model.js";
import { selects } from "./selects.js";

export function Timeline(props: {
  model: RunModel;
  now: number;
  selected: string | null;
  select: (job: string) => void;
}) {
  const { model, now, selected, select } = props;
  const start = model.started;
  const span = Math.max(1, (model.end?.time ?? now) - start);
  const pct = (t: number) => `${((100 * (t - start)) / span).toFixed(3)}%`;
  return (
    <div class="timeline">
      <div class="axis">
        <span>0</span>
        <span>{formatMs(span / 2)}</span>
        <span>{formatMs(span)}</span>
      </div>
      {[...model.jobs.values()].map((job) => (
        <div
          class={`row${selected === job.name ? " selected" : ""}`}
          key={job.name}
          {...selects(() => select(job.name))}
        >
          <span class="label" title={job.name}>
            {job.name}
          </span>
          <span class="track">
            {job.attempts.map((a) => {
              const end = a.end ?? model.end?.time ?? now;
              return (
                <span
                  key={a.attempt}
                  class={`bar s-${a.state ?? job.state}`}
                  style={{ left: pct(a.start), width: `max(2px, ${pct(start + end - a.start)})` }}
                  title={`${job.name} attempt ${a.attempt}: ${a.started ? `${a.state ?? "running"}, ${formatMs(end - a.start)}` : `${a.state} (did not start)`}`}
                />
              );
            })}
          </span>
        </div>
      ))}
    </div>
  );
}
