// `procflow cache info | clean | prune` (SPEC §13): the cache's size, emptying it, and removing the
// least recently used entries (and the blobs no other entry shares) until it fits. clean and prune
// take the folder's lock, so that two of them never work on one cache at once.
import { open, readdir, readFile, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { CacheStore, type Entry } from "./store.js";

export interface CacheInfo {
  readonly dir: string;
  readonly entries: number;
  readonly blobs: number;
  readonly bytes: number;
}

async function sizes(dir: string): Promise<Map<string, { bytes: number; mtimeMs: number }>> {
  const out = new Map<string, { bytes: number; mtimeMs: number }>();
  const names = (await readdir(dir, { recursive: true }).catch(() => [])) as string[];
  await Promise.all(
    names.map(async (n) => {
      const st = await stat(join(dir, n)).catch(() => null);
      if (st?.isFile()) out.set(n, { bytes: st.size, mtimeMs: st.mtimeMs });
    }),
  );
  return out;
}

export async function cacheInfo(dir: string): Promise<CacheInfo> {
  const entries = await sizes(join(dir, "entries"));
  const blobs = await sizes(join(dir, "blobs"));
  let bytes = 0;
  for (const s of [...entries.values(), ...blobs.values()]) bytes += s.bytes;
  return { dir, entries: entries.size, blobs: blobs.size, bytes };
}

/** Runs `work` holding the cache's lock; a string says who holds it. */
async function locked<T>(dir: string, work: () => Promise<T>): Promise<T | string> {
  const lock = join(dir, "lock");
  for (let tries = 0; ; tries++) {
    try {
      const fd = await open(lock, "wx", 0o600);
      await fd.writeFile(String(process.pid));
      await fd.close();
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return "no cache here";
      if (code !== "EEXIST" || tries > 0) throw e;
      const pid = Number(await readFile(lock, "utf8").catch(() => ""));
      if (pid > 0 && alive(pid)) return `the cache is locked by process ${pid} (another clean or prune)`;
      await unlink(lock).catch(() => {}); // left by a process that is gone
    }
  }
  try {
    return await work();
  } finally {
    await unlink(lock).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Empties the cache; returns what was there, or why not. */
export async function cleanCache(dir: string): Promise<CacheInfo | string> {
  const before = await cacheInfo(dir);
  const done = await locked(dir, async () => {
    for (const sub of ["entries", "blobs", "tmp"]) await rm(join(dir, sub), { recursive: true, force: true });
  });
  return typeof done === "string" ? done : before;
}

/** Removes least recently used entries until entries and blobs fit in `maxBytes`; returns what was removed. */
export async function pruneCache(
  dir: string,
  maxBytes: number,
): Promise<{ entries: number; bytes: number } | string> {
  return locked(dir, async () => {
    const store = new CacheStore(dir);
    const entries = [...(await sizes(join(dir, "entries")))].sort((a, b) => a[1].mtimeMs - b[1].mtimeMs);
    const blobs = new Map(
      [...(await sizes(join(dir, "blobs")))].map(([n, s]) => [n.split("/").pop()!, s.bytes]),
    );
    const uses = new Map<string, number>();
    const blobsOf = new Map<string, string[]>();
    for (const [name] of entries) {
      const refs = refsOf(await readFile(join(dir, "entries", name), "utf8").catch(() => ""));
      blobsOf.set(name, refs);
      for (const b of refs) uses.set(b, (uses.get(b) ?? 0) + 1);
    }
    let total = 0;
    for (const [, s] of entries) total += s.bytes;
    for (const [hash, bytes] of blobs)
      if (uses.has(hash)) total += bytes;
      else await rm(store.blobPath(hash), { force: true }); // shared by no entry
    let removed = 0;
    let freed = 0;
    for (const [name, s] of entries) {
      if (total <= maxBytes) break;
      await rm(join(dir, "entries", name), { force: true });
      let bytes = s.bytes;
      for (const b of blobsOf.get(name)!) {
        const left = uses.get(b)! - 1;
        uses.set(b, left);
        if (left > 0 || !blobs.has(b)) continue;
        bytes += blobs.get(b)!;
        await rm(store.blobPath(b), { force: true });
      }
      total -= bytes;
      freed += bytes;
      removed++;
    }
    return { entries: removed, bytes: freed };
  });
}

/** The blobs an entry names (none when it does not parse). */
function refsOf(text: string): string[] {
  try {
    const e = JSON.parse(text) as Entry;
    return [...(e.log ? [e.log] : []), ...e.outputs.flatMap((o) => ("blob" in o ? [o.blob] : []))];
  } catch {
    return [];
  }
}

/** "500MB", "2GiB", "10k", "1000": bytes (k/M/G/T are powers of 1000, Ki/Mi/Gi/Ti of 1024); null when not a size. */
export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(i)?)?b?$/i.exec(text.trim());
  if (!m) return null;
  const power = m[2] ? "kmgt".indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.floor(Number(m[1]) * (m[3] ? 1024 : 1000) ** power);
}
