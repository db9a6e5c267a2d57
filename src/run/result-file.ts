// PROCFLOW_RESULT (SPEC §14): a fresh empty file per attempt of a command job, in a folder of the
// run's own (mode 0700, removed at the end, and by the watchdog if procflow is killed), read and
// removed when the attempt is over. Lines `key=value` and `key<<DELIM` … `DELIM` (GitHub Actions' output
// file format) make the result: an object of strings, or null when nothing was written.
//
// Most attempts write nothing. Their file, still empty, is not removed but kept as a spare and renamed
// to the next attempt's new name: a rename costs a fraction of creating a file (on ext4, ~15 µs
// against ~100 µs), and a new name keeps what writes to the old one out of the next attempt's result.
import {
  closeSync,
  type Dirent,
  lstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";

/** In a nested run's folder: the files to remove with it (ResultFiles.leave; reaper.ts's watchdog names it too). */
export const LEFT_BEHIND = "procflow-leftovers";

/** A bigger file fails the job (a result is for small values: names, versions, lists of shards). */
export const MAX_RESULT_BYTES = 16 * 1024 * 1024;

export type ParsedResult = { ok: true; value: Record<string, string> | null } | { ok: false; error: string };

export class ResultFiles {
  /** The run's folder; null when the temp folder cannot be used (jobs then get no PROCFLOW_RESULT). */
  readonly dir: string | null;
  private n = 0;
  /** Files of attempts that are over, as they were created: empty, untouched (see take()). */
  private readonly spares: string[] = [];

  /**
   * `outer`: the PROCFLOW_RESULT procflow was started with, when it is a job of another run. Its folder
   * is then made inside that run's: removed with it after a hard end of the outer run, which kills
   * this run's watchdog (it carries the outer run's id) before that could remove it.
   */
  constructor(outer?: string) {
    let dir: string | null = null;
    for (const parent of outer && isAbsolute(outer) ? [dirname(outer), tmpdir()] : [tmpdir()]) {
      try {
        dir = mkdtempSync(join(parent, "procflow-results-"));
        this.nested = parent !== tmpdir();
        break;
      } catch {}
    }
    this.dir = dir;
  }

  /** The folder lies in an outer run's (this run is a job of it). */
  private nested = false;

  /**
   * A nested run's files that its watchdog would remove (its control socket and record), listed in
   * its folder: the outer run's watchdog, which kills this one's first when the outer procflow is
   * killed, removes them too (reaper.ts).
   */
  leave(files: readonly string[]): void {
    if (!this.dir || !this.nested) return;
    try {
      // Written even when empty: close() removes it.
      writeFileSync(join(this.dir, LEFT_BEHIND), files.length ? `${files.join("\n")}\n` : "", {
        mode: 0o600,
      });
    } catch {}
  }

  /** A new empty file for one attempt; its path goes into PROCFLOW_RESULT. */
  create(): string | null {
    if (!this.dir) return null;
    const path = join(this.dir, String(++this.n));
    const spare = this.spares.pop();
    try {
      if (spare === undefined) closeSync(openSync(path, "wx", 0o600));
      else renameSync(spare, path);
      return path;
    } catch {
      return null;
    }
  }

  /**
   * The attempt's result, from its file, which is then removed (or kept as a spare). Cheap when
   * nothing was written (the common case). `alone`: nothing of the attempt's process group is left,
   * so no process of it holds the file open to write later.
   */
  take(path: string, alone: boolean): ParsedResult {
    // The job may have removed its own file (then it wrote nothing that is left), or put a link there.
    const own = lstatSync(path, { throwIfNoEntry: false });
    const size = (own?.isSymbolicLink() ? statSync(path, { throwIfNoEntry: false }) : own)?.size;
    if (size === undefined) return { ok: true, value: null };
    if (size === 0 && alone && asCreated(own!)) {
      this.spares.push(path);
      return { ok: true, value: null };
    }
    try {
      if (size === 0) return { ok: true, value: null };
      if (size > MAX_RESULT_BYTES)
        return {
          ok: false,
          error: `PROCFLOW_RESULT: the file holds ${mib(size)} MiB, more than the limit of ${mib(MAX_RESULT_BYTES)} MiB; write large data to a file and its path to the result`,
        };
      return parseResult(readFileSync(path, "utf8"));
    } catch (e) {
      return { ok: false, error: `PROCFLOW_RESULT: ${(e as Error).message}` };
    } finally {
      try {
        unlinkSync(path);
      } catch {}
    }
  }

  /**
   * Removes the folder (at the end of the run, when nothing of it is left): the spares, then the
   * folder, which is empty unless an attempt was cut short, a job wrote beside its file, or a nested
   * run died with this one (then what that run listed goes too, and everything in the folder).
   */
  close(): void {
    if (!this.dir) return;
    // unlink and rmdir: rmSync loads Node's rimraf module (~0.4 ms), needed only for a tree.
    try {
      for (const spare of this.spares.splice(0)) unlinkSync(spare);
      if (this.nested) unlinkSync(join(this.dir, LEFT_BEHIND));
      rmdirSync(this.dir);
    } catch {
      removeLeftBehind(this.dir);
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** The control files that nested runs in the folders below `dir` listed and could not remove. */
function removeLeftBehind(dir: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const sub = join(dir, e.name);
    let listed = "";
    try {
      listed = readFileSync(join(sub, LEFT_BEHIND), "utf8");
    } catch {}
    for (const file of listed.split("\n")) if (/\.(sock|json)$/.test(file)) rmSync(file, { force: true });
    removeLeftBehind(sub);
  }
}

/** A file as create() made it: a regular file, with no other name, still mode 0600 (stats from lstat). */
const asCreated = (stats: Stats) => stats.isFile() && stats.nlink === 1 && (stats.mode & 0o7777) === 0o600;

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, "");

/** The result written in a file's text. */
export function parseResult(text: string): ParsedResult {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  const out: Record<string, string> = {};
  let any = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const eq = line.indexOf("=");
    const heredoc = line.indexOf("<<");
    const bad = (why: string) => ({ ok: false as const, error: `PROCFLOW_RESULT line ${i + 1}: ${why}` });
    if (eq === -1 && heredoc === -1) return bad(`"${clip(line)}" is neither key=value nor key<<DELIMITER`);
    if (eq !== -1 && (heredoc === -1 || eq < heredoc)) {
      const key = line.slice(0, eq);
      if (key === "") return bad("a key is missing before =");
      out[key] = line.slice(eq + 1);
    } else {
      const key = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (key === "" || delimiter === "") return bad("write key<<DELIMITER, then the lines, then DELIMITER");
      const end = lines.indexOf(delimiter, i + 1);
      if (end === -1) return bad(`${key}<<${delimiter} is not closed by a line ${delimiter}`);
      out[key] = lines.slice(i + 1, end).join("\n");
      i = end;
    }
    any = true;
  }
  return { ok: true, value: any ? out : null };
}

const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 37)}...` : s);
