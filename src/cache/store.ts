// The cache folder (SPEC §13): entries by fingerprint, content-addressed blobs shared between them.
// Everything is written under a temporary name and renamed, so a run killed at any moment leaves
// nothing half-written under a trusted name; what does not read back whole is never trusted.
//
//   <dir>/entries/<fingerprint>.json   what a job's successful run left: output log, outputs, result
//   <dir>/blobs/<hh>/<sha256>          file contents (0600)
//   <dir>/tmp/                         writes in progress
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { hashFile } from "./files.js";
import { CACHE_FORMAT } from "./fingerprint.js";

export type StoredOutput =
  | { readonly path: string; readonly blob: string; readonly mode: number }
  | { readonly path: string; readonly link: string };

export interface Entry {
  readonly format: number;
  readonly fingerprint: string;
  readonly job: string;
  /** The run that stored it. */
  readonly runId: string;
  readonly createdAt: number;
  /** The blob of the job's output chunks (log.ts), or null when it printed nothing. */
  readonly log: string | null;
  /** Paths relative to the job's cwd. */
  readonly outputs: readonly StoredOutput[];
  readonly result?: unknown;
}

const HEX64 = /^[0-9a-f]{64}$/;

export class CacheStore {
  private ready: Promise<void> | null = null;

  constructor(readonly dir: string) {}

  entryPath(fingerprint: string): string {
    return join(this.dir, "entries", `${fingerprint}.json`);
  }

  blobPath(hash: string): string {
    return join(this.dir, "blobs", hash.slice(0, 2), hash);
  }

  /**
   * The entry for a fingerprint; null when there is none; a string says why an entry is not trusted.
   * `use`: it is about to be used (so it counts as recently used for prune).
   */
  async read(fingerprint: string, use = true): Promise<Entry | null | string> {
    let text: string;
    try {
      text = await readFile(this.entryPath(fingerprint), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      return `cannot read ${this.entryPath(fingerprint)}: ${(e as Error).message}`;
    }
    let entry: Entry;
    try {
      entry = JSON.parse(text) as Entry;
    } catch {
      return `${this.entryPath(fingerprint)} is not valid JSON`;
    }
    if (!wellFormed(entry, fingerprint))
      return `${this.entryPath(fingerprint)} is not a procflow cache entry`;
    // Prune removes the least recently used entries first.
    const now = new Date();
    if (use) await utimes(this.entryPath(fingerprint), now, now).catch(() => {});
    return entry;
  }

  /** A blob's content, checked against its hash; a string says why it cannot be trusted. */
  async readBlob(hash: string): Promise<Buffer | string> {
    try {
      const data = await readFile(this.blobPath(hash));
      if (createHash("sha256").update(data).digest("hex") === hash) return data;
      return `blob ${hash.slice(0, 12)} does not match its hash`;
    } catch (e) {
      return `blob ${hash.slice(0, 12)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
  }

  /** Copies a blob to `target` (a fresh file, mode 0600), checking its hash; a string says why not. */
  async copyBlob(hash: string, target: string): Promise<string | null> {
    try {
      await pipeline(
        createReadStream(this.blobPath(hash)),
        createWriteStream(target, { flags: "wx", mode: 0o600 }),
      );
      return (await hashFile(target)) === hash ? null : `blob ${hash.slice(0, 12)} does not match its hash`;
    } catch (e) {
      return `blob ${hash.slice(0, 12)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
  }

  /** Removes an entry found corrupt (and the blob that was, if any), so that the next success replaces it. */
  async forget(fingerprint: string, blob?: string): Promise<void> {
    await rm(this.entryPath(fingerprint), { force: true });
    if (blob) await rm(this.blobPath(blob), { force: true });
  }

  /** Stores a file's content; returns its hash. */
  async putFile(path: string): Promise<string> {
    await this.prepare();
    const tmp = this.tmpName();
    await pipeline(createReadStream(path), createWriteStream(tmp, { flags: "wx", mode: 0o600 }));
    return this.adopt(tmp, await hashFile(tmp));
  }

  /** Stores bytes; returns their hash. */
  async putBytes(data: Buffer): Promise<string> {
    await this.prepare();
    const hash = createHash("sha256").update(data).digest("hex");
    const tmp = this.tmpName();
    await writeFile(tmp, data, { flag: "wx", mode: 0o600 });
    return this.adopt(tmp, hash);
  }

  /** Writes the entry last, once every blob it names is in place. */
  async putEntry(entry: Entry): Promise<void> {
    await this.prepare();
    const tmp = this.tmpName();
    await writeFile(tmp, JSON.stringify(entry), { flag: "wx", mode: 0o600 });
    await rename(tmp, this.entryPath(entry.fingerprint));
  }

  private async adopt(tmp: string, hash: string): Promise<string> {
    const target = this.blobPath(hash);
    await makeDirAsync(dirname(target), 0o700);
    await rename(tmp, target);
    return hash;
  }

  private tmpName(): string {
    return join(this.dir, "tmp", `${process.pid}-${randomBytes(6).toString("hex")}`);
  }

  /** Creates the folders (0700) once, and `.procflow/.gitignore` when the cache is the default one. */
  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      for (const sub of ["entries", "blobs", "tmp"]) await makeDirAsync(join(this.dir, sub), 0o700);
      if (basename(this.dir) === "cache" && basename(dirname(this.dir)) === ".procflow")
        await writeFile(join(dirname(this.dir), ".gitignore"), "*\n", { flag: "wx", mode: 0o600 }).catch(
          () => {},
        );
    })();
    return this.ready;
  }
}

function wellFormed(e: Entry, fingerprint: string): boolean {
  if (typeof e !== "object" || e === null || e.format !== CACHE_FORMAT || e.fingerprint !== fingerprint)
    return false;
  if (
    typeof e.runId !== "string" ||
    !(e.log === null || HEX64.test(String(e.log))) ||
    !Array.isArray(e.outputs)
  )
    return false;
  return e.outputs.every(
    (o) =>
      typeof o === "object" &&
      o !== null &&
      typeof o.path === "string" &&
      ("link" in o ? typeof o.link === "string" : HEX64.test(String(o.blob)) && Number.isInteger(o.mode)),
  );
}

/** write-paths.ts's makeDir (a `mkdir -p` that ends under /proc too), without blocking. */
async function makeDirAsync(dir: string, mode: number, parentMade = false): Promise<void> {
  try {
    await mkdir(dir, { mode });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST" && (await stat(dir)).isDirectory()) return;
    if (code !== "ENOENT" || parentMade || dirname(dir) === dir) throw e;
    await makeDirAsync(dirname(dir), mode);
    await makeDirAsync(dir, mode, true);
  }
}
