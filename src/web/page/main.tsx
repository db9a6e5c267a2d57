// The web view's page (SPEC §17): one app for a live run (events from the API, the token taken from
// the URL fragment) and for a report (the events embedded in the file). Bundled by scripts/bundle.mjs.
import "./page.css";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Graph } from "./Graph.js";
import { JobPanel } from "./JobPanel.js";
import { formatMs, RunModel } from "./model.js";
import { Summary } from "./Summary.js";
import { followLive, type Live, readEmbedded } from "./source.js";
import { Timeline } from "./Timeline.js";

function App(props: { model: RunModel; live: Live | null; subscribe: (draw: () => void) => void }) {
  const { model, live } = props;
  const [, setDrawn] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => props.subscribe(() => setDrawn((n) => n + 1)), []);
  useEffect(() => {
    if (model.end || !live) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [model.end, live]);
  useEffect(() => {
    document.title = `procflow${model.file ? ` · ${model.file.split("/").pop()}` : ""}`;
  }, [model.file]);
  const job = model.jobs.get(selected ?? "") ?? model.jobs.values().next().value;
  const status = live ? live.status : "report";
  const clock = model.clock(now, live !== null);
  // A report of a run.json with no run:end: procflow was killed, or the file was cut.
  const cutShort = !live && model.loaded && !model.end;
  return (
    <main data-status={status} data-run-state={model.end?.state ?? (cutShort ? "cut-short" : "running")}>
      <header>
        <strong>procflow</strong>
        <span class="file">{model.file}</span>
        {model.description && <span class="description">{model.description}</span>}
        <span class="run-id">{model.runId}</span>
        <span class={`status st-${status}`}>
          {model.end ? `ended: ${model.end.state}` : cutShort ? "did not end" : status}
        </span>
        {!model.end && model.started > 0 && <span class="took">{formatMs(clock - model.started)}</span>}
        {live && !model.end && status === "live" && (
          <button type="button" class="end" onClick={() => void live.command("end")}>
            End run
          </button>
        )}
      </header>
      {status === "refused" && (
        <p class="note">
          The run refused this page: open the full URL that procflow printed (with its #token).
        </p>
      )}
      {cutShort && (
        <p class="note">
          {`This run did not end: its events stop ${formatMs(model.lastTime - model.started)} into it, with no run:end (procflow was killed, or run.json was cut short). Jobs are shown as they were then; durations count to the last event.`}
        </p>
      )}
      {model.gap && (
        <p class="note">Some older output lines were dropped by the run (it keeps the last 1,000 per job).</p>
      )}
      {model.end && <Summary model={model} end={model.end} select={setSelected} />}
      <div class="body">
        <div class="left">
          <Graph model={model} now={clock} selected={job?.name ?? null} select={setSelected} />
          <Timeline model={model} now={clock} selected={job?.name ?? null} select={setSelected} />
        </div>
        {job && <JobPanel model={model} job={job} now={clock} live={live} />}
      </div>
    </main>
  );
}

function start() {
  const model = new RunModel();
  let draw: () => void = () => {};
  let queued = false;
  // Events come in bursts: draw at most once a frame.
  const changed = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      draw();
    });
  };
  const embedded = document.getElementById("procflow-events");
  const live = embedded ? null : followLive(location.hash.slice(1), model, changed);
  const root = document.getElementById("app")!;
  root.textContent = "";
  render(<App model={model} live={live} subscribe={(d) => (draw = d)} />, root);
  // A report's events are read after the first paint.
  if (embedded)
    requestAnimationFrame(() => setTimeout(() => readEmbedded(embedded.textContent ?? "", model, changed)));
}

start();
