// A live run in the background for the control tests (rig.ts startLive), with its own state folder
// and `ctl` on it.
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type CliResult, cli, type LiveRun, startLive, tempDir } from "../rig.js";

/** A private state folder, so that the runs of other tests are not listed. */
export function stateDir(): string {
  const dir = join(tempDir(), "state");
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

export interface Live extends LiveRun {
  env: Record<string, string>;
  ctl(...args: string[]): Promise<CliResult>;
}

/** Starts `procflow run -o json jobs.yaml ...args` in the background and waits until `ps` lists it. */
export async function startRun(
  yaml: string,
  args: string[] = [],
  state = stateDir(),
  files: Record<string, string> = {},
): Promise<Live> {
  const env = { PROCFLOW_STATE_DIR: state };
  const run = startLive(yaml, args, files, env);
  const live: Live = { ...run, env, ctl: (...a) => cli(["ctl", ...a], { cwd: run.dir, env }) };
  for (let i = 0; i < 200; i++) {
    const ps = await cli(["ps", "--format", "json"], { env });
    if (JSON.parse(ps.stdout).length > 0) return live;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the run never showed up in procflow ps");
}
