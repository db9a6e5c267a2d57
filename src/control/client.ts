// `procflow ps` and `procflow ctl`: find the live run, ask its endpoint, print the answer.
import { request } from "node:http";
import type { Colors } from "picocolors/types.js";
import { ExitCode } from "../exit-codes.js";
import { formatMs } from "../load/duration.js";
import { liveRuns, pickRun, type RunRecord } from "./registry.js";
import { openStateDir } from "./state-dir.js";
import type { JobStatus, RunStatus } from "./status.js";

export type CtlAction =
  | { readonly verb: "status"; readonly format: "text" | "json" }
  | { readonly verb: "logs"; readonly job: string; readonly lines: number; readonly follow: boolean }
  | { readonly verb: "restart"; readonly jobs: readonly string[]; readonly withDependents: boolean }
  | { readonly verb: "stop" | "start"; readonly jobs: readonly string[] }
  | { readonly verb: "end" };

interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly colors: Colors;
}

type Status = { run: RunStatus | null; jobs: JobStatus[] };

export async function ps(format: "text" | "json", io: Io): Promise<number> {
  const runs = await findRuns(io);
  if (!runs) return ExitCode.ok;
  const rows = await Promise.all(
    runs.map(async (r) => ({
      record: r,
      status: (await call(r, "GET", "/api/run")).body as Status | undefined,
    })),
  );
  if (format === "json") {
    io.out(
      `${JSON.stringify(rows.map(({ record, status }) => ({ ...record, jobs: counts(status?.jobs ?? []) })))}\n`,
    );
    return ExitCode.ok;
  }
  if (rows.length === 0) io.out("no live runs\n");
  for (const { record, status } of rows) {
    const jobs = Object.entries(counts(status?.jobs ?? []))
      .map(([state, n]) => `${n} ${state}`)
      .join(", ");
    const started = new Date(record.startedAt).toLocaleTimeString();
    io.out(
      `${record.runId}  pid ${record.pid}  ${record.mode}  started ${started}  ${record.file}\n  ${jobs}\n`,
    );
  }
  return ExitCode.ok;
}

export async function ctl(runPrefix: string | undefined, action: CtlAction, io: Io): Promise<number> {
  const runs = await findRuns(io);
  if (!runs) return ExitCode.usage;
  const run = pickRun(runs, runPrefix, process.cwd());
  if (typeof run === "string") {
    io.err(`procflow ctl: ${run}\n`);
    return ExitCode.usage;
  }
  switch (action.verb) {
    case "status": {
      const r = await call(run, "GET", "/api/run");
      if (r.status !== 200) return failed(r, io);
      if (action.format === "json") io.out(`${JSON.stringify(r.body)}\n`);
      else io.out(statusTable(r.body as Status, io.colors));
      return ExitCode.ok;
    }
    case "logs":
      return logs(run, action, io);
    case "end":
      return answered(await call(run, "POST", "/api/end"), io);
    default: {
      let code: number = ExitCode.ok;
      for (const job of action.jobs) {
        const body = action.verb === "restart" ? { withDependents: action.withDependents } : {};
        const r = await call(run, "POST", `/api/jobs/${encodeURIComponent(job)}/${action.verb}`, body);
        code = Math.max(code, answered(r, io));
      }
      return code;
    }
  }
}

export async function findRuns(io: Pick<Io, "err">): Promise<RunRecord[] | null> {
  const state = openStateDir(false);
  if ("error" in state) {
    if (state.error.endsWith("ENOENT")) return [];
    io.err(`procflow: ${state.error}\n`);
    return null;
  }
  return liveRuns(state.dir);
}

async function logs(run: RunRecord, a: Extract<CtlAction, { verb: "logs" }>, io: Io): Promise<number> {
  const path = `/api/jobs/${encodeURIComponent(a.job)}/logs?tail=${a.lines}${a.follow ? "&follow=1" : ""}`;
  const print = (l: { stream: string; line: string }) =>
    io.out(`${l.stream === "stderr" ? io.colors.red("! ") : ""}${l.line}\n`);
  const r = await call(run, "GET", path, undefined, (line) => print(JSON.parse(line)));
  if (r.status !== 200) return failed(r, io);
  const body = r.body as { lines?: { stream: string; line: string }[]; note?: string } | undefined;
  for (const l of body?.lines ?? []) print(l);
  if (body?.note) io.err(`${body.note}\n`);
  return ExitCode.ok;
}

function answered(r: Answer, io: Io): number {
  return r.status === 200 ? ExitCode.ok : failed(r, io);
}

function failed(r: Answer, io: Io): number {
  io.err(
    `procflow ctl: ${(r.body as { error?: string } | undefined)?.error ?? `the run answered ${r.status}`}\n`,
  );
  return r.status === 422 ? ExitCode.failed : ExitCode.usage;
}

function counts(jobs: readonly JobStatus[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const j of jobs) out[j.state] = (out[j.state] ?? 0) + 1;
  return out;
}

function statusTable(s: Status, c: Colors): string {
  const width = Math.max(3, ...s.jobs.map((j) => j.job.length));
  const head = s.run ? `${s.run.runId}  pid ${s.run.pid}  ${s.run.mode}  ${s.run.file}\n` : "";
  return (
    head +
    s.jobs
      .map((j) => {
        const pid = j.pid === null ? "" : `pid ${j.pid}`;
        const took = j.durationMs === null ? "" : formatMs(j.durationMs);
        const attempt = j.attempt > 0 ? `attempt ${j.attempt}` : "";
        return `${j.job.padEnd(width)}  ${c.bold(j.state.padEnd(10))}  ${[pid, attempt, took].filter(Boolean).join("  ")}`.trimEnd();
      })
      .join("\n") +
    "\n"
  );
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** One request to a run's endpoint; a streamed (NDJSON) answer goes line by line to `onLine`. */
function call(
  run: RunRecord,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  onLine?: (line: string) => void,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      { socketPath: run.socket, method, path, headers: { "content-type": "application/json" } },
      (res) => {
        const streamed = res.headers["content-type"] === "application/x-ndjson";
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
          if (!streamed || !onLine) return;
          let nl = text.indexOf("\n");
          for (; nl !== -1; nl = text.indexOf("\n")) {
            onLine(text.slice(0, nl));
            text = text.slice(nl + 1);
          }
        });
        res.on("end", () => {
          let parsed: unknown;
          try {
            parsed = streamed ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        // The run ended while following: what came is printed.
        res.on("error", () => resolve({ status: res.statusCode ?? 0, body: undefined }));
      },
    );
    req.on("error", (e) => resolve({ status: 0, body: { error: `the run does not answer: ${e.message}` } }));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
