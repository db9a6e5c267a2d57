// The selected job: its description, command, each attempt's pid, argv, exit, error and result (or
// that it failed before it started), the buttons that restart, stop or start it (live runs only), and
// its output.
import { useState } from "preact/hooks";
import { ENDED, formatMs, type JobView, type RunModel, stateWords } from "./model.js";
import { Output } from "./Output.js";
import type { Live } from "./source.js";

export function JobPanel(props: { model: RunModel; job: JobView; now: number; live: Live | null }) {
  const { model, job, now, live } = props;
  const [answer, setAnswer] = useState<{ job: string; text: string } | null>(null);
  const [withDependents, setWithDependents] = useState(false);
  const last = job.attempts.at(-1);
  const ask = async (verb: "restart" | "stop" | "start") => {
    setAnswer({ job: job.name, text: `${verb}…` });
    const path = `jobs/${encodeURIComponent(job.name)}/${verb}`;
    const error = await live!.command(path, verb === "restart" ? { withDependents } : {});
    setAnswer({ job: job.name, text: error ?? `${verb}: done` });
  };
  const running = !ENDED.has(job.state) && job.state !== "waiting";
  const ms = model.duration(job, now);
  return (
    <section class="panel" data-job={job.name}>
      <h2>
        <span class={`dot s-${job.state}`} /> {job.name}
        {job.daemon && <span class="tag">daemon</span>}
        <span class="state">
          {stateWords(job)}
          {ms === null ? "" : ` · ${formatMs(ms)}`}
        </span>
      </h2>
      {live && !model.end && (
        <div class="actions">
          <button type="button" onClick={() => ask("restart")}>
            Restart
          </button>
          <label>
            <input
              type="checkbox"
              checked={withDependents}
              onChange={(e) => setWithDependents(e.currentTarget.checked)}
            />
            with dependents
          </label>
          <button type="button" onClick={() => ask("stop")} disabled={!running && job.state !== "waiting"}>
            Stop
          </button>
          <button type="button" onClick={() => ask("start")} disabled={running}>
            Start
          </button>
          {answer?.job === job.name && <span class="answer">{answer.text}</span>}
        </div>
      )}
      <dl class="facts">
        {job.description && (
          <>
            <dt>description</dt>
            <dd>{job.description}</dd>
          </>
        )}
        <dt>command</dt>
        <dd>
          <code>{job.command}</code>
        </dd>
        {job.needs.length > 0 && (
          <>
            <dt>needs</dt>
            <dd>{job.needs.map((n) => `${n.job}: ${n.condition}`).join(", ")}</dd>
          </>
        )}
        {job.skipped && (
          <>
            <dt>skipped</dt>
            <dd>{job.skipped}</dd>
          </>
        )}
      </dl>
      {job.attempts.length > 0 && (
        <table class="attempts">
          <thead>
            <tr>
              <th>#</th>
              <th>pid</th>
              <th>argv</th>
              <th>exit</th>
              <th>took</th>
              <th>error / result</th>
            </tr>
          </thead>
          <tbody>
            {job.attempts.map((a) => (
              <tr key={a.attempt} class={a === last ? "last" : ""}>
                <td>{a.attempt}</td>
                <td>{a.pid ?? ""}</td>
                <td>
                  <code>{a.argv.join(" ")}</code>
                </td>
                <td>
                  {a.end === null
                    ? "running"
                    : a.started
                      ? `${a.state}${exit(a.exitCode, a.signal)}`
                      : `${a.state} (did not start)`}
                </td>
                <td>{a.started ? formatMs((a.end ?? model.end?.time ?? now) - a.start) : ""}</td>
                <td>
                  {a.error && <span class="error">{a.error}</span>}
                  {a.result != null && <code>{JSON.stringify(a.result)}</code>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {job.cut && (
        <p class="note">
          {`${job.cut.lines} more lines (${(job.cut.bytes / 1e6).toFixed(1)} MB) of this job's output were left out of the report`}
        </p>
      )}
      <Output key={job.name} lines={job.lines} count={job.lines.length} />
    </section>
  );
}

const exit = (code: number | null, signal: string | null) =>
  signal ? ` (${signal})` : code === null ? "" : ` (exit ${code})`;
