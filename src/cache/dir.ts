// Which cache folder a command uses (SPEC §13): --cache-dir, else $PROCFLOW_CACHE_DIR, else
// .procflow/cache beside the job file, else in the current folder.
import { dirname, join, resolve } from "node:path";

export function cacheDirOf(file: string | undefined, flag: string | undefined): string {
  if (flag) return resolve(flag);
  if (process.env.PROCFLOW_CACHE_DIR) return resolve(process.env.PROCFLOW_CACHE_DIR);
  return join(file === undefined ? process.cwd() : dirname(resolve(file)), ".procflow", "cache");
}
