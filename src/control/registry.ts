// The live runs of this user: a `<runId>.json` record and a socket per run in the state folder. A
// record counts only while its socket accepts connections (a dead pid proves nothing: pids are
// reused); stale ones are removed.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join, relative, sep } from "node:path";
import { recordPath } from "./state-dir.js";

export interface RunRecord {
  readonly runId: string;
  readonly pid: number;
  readonly file: string;
  readonly cwd: string;
  readonly startedAt: number;
  readonly socket: string;
  readonly ui: string | null;
  readonly mode: string;
}

export function writeRecord(dir: string, record: RunRecord): string {
  const path = recordPath(dir, record.runId);
  writeFileSync(path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  return path;
}

/** The live runs in the state folder, oldest first; stale records and sockets are removed. */
export async function liveRuns(dir: string): Promise<RunRecord[]> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const records: RunRecord[] = [];
  await Promise.all(
    names
      .filter((n) => n.endsWith(".json"))
      .map(async (name) => {
        const path = join(dir, name);
        let record: RunRecord;
        try {
          record = JSON.parse(readFileSync(path, "utf8")) as RunRecord;
        } catch {
          return; // being written, or not ours
        }
        if (await accepts(record.socket)) records.push(record);
        else {
          rmSync(path, { force: true });
          rmSync(record.socket, { force: true });
        }
      }),
  );
  return records.sort((a, b) => a.startedAt - b.startedAt);
}

function accepts(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socket);
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
    s.setTimeout(1000, () => done(false));
  });
}

/**
 * Which run a `ctl` means: `--run` (a unique prefix of a run id); else the only live run; else the
 * only one whose job file lies in or under `cwd`; else an error listing them.
 */
export function pickRun(
  runs: readonly RunRecord[],
  prefix: string | undefined,
  cwd: string,
): RunRecord | string {
  if (prefix !== undefined) {
    const matches = runs.filter((r) => r.runId.startsWith(prefix));
    if (matches.length === 1) return matches[0]!;
    return matches.length === 0
      ? `no live run with an id starting with "${prefix}"${listing(runs)}`
      : `"${prefix}" matches ${matches.length} runs: give more of the id${listing(matches)}`;
  }
  if (runs.length === 1) return runs[0]!;
  if (runs.length === 0) return "no live run of yours (start one with procflow run)";
  const here = runs.filter((r) => {
    const rel = relative(cwd, r.file);
    return !rel.startsWith(`..${sep}`) && rel !== "..";
  });
  if (here.length === 1) return here[0]!;
  return `${runs.length} live runs: choose one with --run <id>${listing(runs)}`;
}

function listing(runs: readonly RunRecord[]): string {
  return runs.map((r) => `\n  ${r.runId}  pid ${r.pid}  ${r.file}`).join("");
}
