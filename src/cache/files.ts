// The files a job's patterns cover (inputs to fingerprint, outputs to store): globbed relative to the
// job's cwd, sorted, symlinks kept as links (never followed into), and their content hashed streaming.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readFile, readlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { glob } from "tinyglobby";

export type FoundFile =
  | { readonly path: string; readonly kind: "file"; readonly mode: number; readonly size: number }
  | { readonly path: string; readonly kind: "link"; readonly target: string };

/** Files smaller than this are read at once; larger ones are hashed as a stream. */
const SMALL_FILE = 256 * 1024;

/** The sha256 of a file's content (hex). */
export async function hashFile(path: string, size?: number): Promise<string> {
  if (size !== undefined && size <= SMALL_FILE)
    return createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * The files and symlinks that `patterns` (relative to `cwd`; `!p` excludes) match, minus what
 * `ignore` matches, sorted by path. A symlink to a folder is one link, not the files behind it.
 * `unmatched`: the patterns that matched nothing.
 */
export async function findFiles(
  cwd: string,
  patterns: readonly string[],
  ignore: readonly string[] = [],
): Promise<{ files: FoundFile[]; unmatched: string[] }> {
  const excluded = [...ignore, ...patterns.filter((p) => p.startsWith("!")).map((p) => p.slice(1))];
  const positive = patterns.filter((p) => !p.startsWith("!"));
  const options = { cwd, dot: true, followSymbolicLinks: true, ignore: excluded };
  const found = await Promise.all(positive.map((p) => glob(p, options)));
  const unmatched = positive.filter((_, i) => found[i]!.length === 0);
  const links = new Map<string, Promise<boolean>>();
  const isLink = (rel: string): Promise<boolean> => {
    let known = links.get(rel);
    if (!known) {
      known = lstat(join(cwd, rel)).then(
        (st) => st.isSymbolicLink(),
        () => false,
      );
      links.set(rel, known);
    }
    return known;
  };
  // The outermost symlink on a path stands for everything found behind it.
  const outermostLink = async (rel: string): Promise<string | null> => {
    const chain: string[] = [];
    for (let d = rel; d !== "." && d !== "" && !d.startsWith(".."); d = dirname(d)) chain.unshift(d);
    for (const d of chain) if (await isLink(d)) return d;
    return null;
  };
  const byPath = new Map<string, Promise<FoundFile | null>>();
  for (const rel of new Set(found.flat())) {
    const clean = rel.replace(/\/$/, "");
    const link = await outermostLink(clean);
    const path = link ?? clean;
    if (!byPath.has(path)) byPath.set(path, describe(cwd, path));
  }
  const files = (await Promise.all(byPath.values())).filter((f): f is FoundFile => f !== null);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, unmatched };
}

async function describe(cwd: string, path: string): Promise<FoundFile | null> {
  const abs = join(cwd, path);
  const st = await lstat(abs).catch(() => null);
  if (!st) return null; // gone since the glob saw it
  if (st.isSymbolicLink()) return { path, kind: "link", target: await readlink(abs) };
  if (!st.isFile()) return null;
  return { path, kind: "file", mode: st.mode & 0o7777, size: st.size };
}

/** Path → digest of each input file (content hash and executable bit, or a link's target). */
export async function digests(cwd: string, files: readonly FoundFile[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const done = await Promise.all(
    files.map(async (f) =>
      f.kind === "link"
        ? `link:${f.target}`
        : `${f.mode & 0o111 ? "x" : "-"}:${await hashFile(join(cwd, f.path), f.size)}`,
    ),
  );
  files.forEach((f, i) => {
    out[f.path] = done[i]!;
  });
  return out;
}
