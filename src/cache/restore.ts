// Puts a cached job's outputs back (SPEC §13): only those missing or different, files with their
// modes (setuid/setgid dropped) and symlinks as symlinks. It never writes through a symlink, never
// outside the job file's folder, and replaces a path only by renaming a fresh file over it.
import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, readlink, rename, rm, symlink } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { inside } from "../load/rules/cache-fields.js";
import { hashFile } from "./files.js";
import type { CacheStore, StoredOutput } from "./store.js";

/** Restores outputs under `cwd`; returns how many paths it wrote, or why it stopped. */
export async function restoreOutputs(
  store: CacheStore,
  root: string,
  cwd: string,
  outputs: readonly StoredOutput[],
): Promise<{ restored: number } | { error: string; blob?: string }> {
  let restored = 0;
  for (const out of outputs) {
    const target = resolve(cwd, out.path);
    if (!inside(root, target) || target === root) return { error: `${out.path} lies outside ${root}` };
    const refused = await realFolders(root, dirname(target));
    if (refused) return { error: `not restoring ${out.path}: ${refused}` };
    const existing = await lstat(target).catch(() => null);
    if (existing?.isDirectory()) return { error: `not restoring ${out.path}: a folder is in the way` };
    if (existing && (await same(target, existing, out))) continue;
    const tmp = join(dirname(target), `.${basename(target)}.procflow-${randomBytes(4).toString("hex")}`);
    const failed = await write(store, tmp, out);
    if (failed) {
      await rm(tmp, { force: true });
      // Only a blob can fail to write here: it is damaged or gone.
      return { error: failed, ...("blob" in out ? { blob: out.blob } : {}) };
    }
    await rename(tmp, target);
    restored++;
  }
  return { restored };
}

/** Makes every folder from `root` down to `dir`; null, or why not (a symlink or a file on the way). */
async function realFolders(root: string, dir: string): Promise<string | null> {
  let at = root;
  for (const part of relative(root, dir).split(sep).filter(Boolean)) {
    at = join(at, part);
    const st = await lstat(at).catch(() => null);
    if (!st) await mkdir(at);
    else if (st.isSymbolicLink()) return `${relative(root, at)} is a symlink`;
    else if (!st.isDirectory()) return `${relative(root, at)} is not a folder`;
  }
  return null;
}

async function same(path: string, st: import("node:fs").Stats, out: StoredOutput): Promise<boolean> {
  if ("link" in out) return st.isSymbolicLink() && (await readlink(path)) === out.link;
  if (!st.isFile() || (st.mode & 0o777) !== (out.mode & 0o777)) return false;
  return (await hashFile(path, st.size)) === out.blob;
}

async function write(store: CacheStore, tmp: string, out: StoredOutput): Promise<string | null> {
  if ("link" in out) {
    await symlink(out.link, tmp);
    return null;
  }
  const failed = await store.copyBlob(out.blob, tmp);
  if (failed) return failed;
  await chmod(tmp, out.mode & 0o777);
  return null;
}
