// The run's summary once it has ended: its state and exit code, then per job its end state, exit,
// duration, attempts, pid and the error of its last attempt.

import { formatMs, type RunEnd, type RunModel, stateWords } from "./model.js";
import { selects } from "./selects.js";

export function Summary(props: { model: RunModel; end: RunEnd; select: (job: string) => void }) {
  const { model, end, select } = props;
  const counts = new Map<string, number>();
  for (const j of model.jobs.values()) counts.set(j.state, (counts.get(j.state) ?? 0) + 1);
  return (
    <details class={`summary s-${end.state}`} open>
      <summary>
        {`run ${end.state} · exit ${end.exitCode} · ${formatMs(end.durationMs)} · `}
        {[...counts].map(([state, n]) => `${n} ${state}`).join(", ")}
      </summary>
      <table>
        <tbody>
          {[...model.jobs.values()].map((j) => {
            const a = j.attempts.at(-1);
            const ms = model.duration(j, end.time);
            return (
              <tr key={j.name} {...selects(() => select(j.name))}>
                <td>
                  <span class={`dot s-${j.state}`} /> {j.name}
                  {j.daemon ? " ◆" : ""}
                </td>
                <td>{stateWords(j)}</td>
                <td>{a?.signal ?? (a?.exitCode === null || a === undefined ? "" : `exit ${a.exitCode}`)}</td>
                <td>{ms === null ? "" : formatMs(ms)}</td>
                <td>{j.attempts.length > 1 ? `${j.attempts.length} attempts` : ""}</td>
                <td>{a?.pid ? `pid ${a.pid}` : ""}</td>
                <td>{a?.error && <span class="error">{a.error}</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </details>
  );
}
