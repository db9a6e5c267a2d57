// Where live runs keep their control sockets and records (SPEC §11): a folder only its user can use.
import { lstatSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeDir } from "../write-paths.js";

/** The state folder's path: $PROCFLOW_STATE_DIR, else $XDG_RUNTIME_DIR/procflow, else <tmpdir>/procflow-<uid>. */
export function stateDirPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PROCFLOW_STATE_DIR) return env.PROCFLOW_STATE_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, "procflow");
  return join(tmpdir(), `procflow-${process.getuid?.() ?? "user"}`);
}

/**
 * The state folder, created (mode 0700) when missing; an error when it is not a real folder owned
 * by this user with mode 0700 (then nobody else could be trusted not to read or replace its sockets).
 */
export function openStateDir(
  create: boolean,
  env: NodeJS.ProcessEnv = process.env,
): { dir: string } | { error: string } {
  const dir = stateDirPath(env);
  try {
    if (create) makeDir(dir, 0o700);
    const st = lstatSync(dir);
    if (!st.isDirectory()) return { error: `${dir} is not a folder` };
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) return { error: `${dir} belongs to another user` };
    if ((st.mode & 0o777) !== 0o700)
      return { error: `${dir} has mode ${(st.mode & 0o777).toString(8)}, not 700 (chmod 700 ${dir})` };
    return { dir };
  } catch (e) {
    return { error: `${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
}

/** A socket path is limited to ~108 bytes: the socket is named by the first 12 hex digits of the run id. */
export const socketPath = (dir: string, runId: string) =>
  join(dir, `${runId.replace(/-/g, "").slice(0, 12)}.sock`);
export const recordPath = (dir: string, runId: string) => join(dir, `${runId}.json`);
