// What a semantic rule sees and how it reports: one small function per check, listed in index.ts.
import type { Source } from "../../graph/source.js";
import type { Diagnostic, Severity } from "../diagnostic.js";
import type { Locator, Path } from "../parse.js";
import type { ProcflowJobFile as JobFile, Job as WrittenJob } from "../written.js";

export interface RuleContext {
  readonly file: JobFile;
  /** The whole tree of included files (SPEC §15): names are checked across it. */
  readonly tree: TreeView;
  /** Its jobs whose shape is right, each with its needs (read once for every rule). */
  readonly jobs: readonly ShapedJob[];
  readonly source: Source;
  /** Folder of the job file: relative paths start there. */
  readonly dir: string;
  readonly locate: Locator;
  report(
    path: Path,
    code: string,
    message: string,
    opts?: { key?: boolean; severity?: Severity; offset?: number },
  ): void;
}

export type Rule = (ctx: RuleContext) => void;

/** What a rule sees of the other files of the tree. */
export interface TreeView {
  /** The context of each file, the top file first. */
  readonly files: readonly RuleContext[];
  /** Every job of the tree whose shape is right, with the context of the file that declares it (the first, for a name declared twice). */
  readonly jobs: ReadonlyMap<
    string,
    { readonly job: WrittenJob; readonly needs: readonly WrittenNeed[]; readonly ctx: RuleContext }
  >;
  /** Every job name of the tree, whatever its shape, in written order. */
  readonly names: ReadonlySet<string>;
}

export function makeContext(
  tree: TreeView,
  file: JobFile,
  wellShaped: ReadonlySet<string>,
  source: Source,
  dir: string,
  locate: Locator,
  diagnostics: Diagnostic[],
): RuleContext {
  return {
    file,
    tree,
    jobs: shapedJobs(file, wellShaped),
    source,
    dir,
    locate,
    report(path, code, message, opts) {
      let range = locate(path, { key: opts?.key });
      if (opts?.offset !== undefined) range = pointInside(source.text, range, opts.offset);
      diagnostics.push({ source, range, severity: opts?.severity ?? "error", code, message });
    },
  };
}

/**
 * Narrows a scalar's range to the character at `offset` of its value: written plainly, offsets map
 * one to one; quoted, escapes (`\"`, `\u00e9`) and `''` are read as the one character they stand
 * for. A block scalar, or a quoted one across lines, keeps the whole range.
 */
function pointInside(text: string, range: readonly [number, number], offset: number): [number, number] {
  const first = text[range[0]];
  if (range[0] >= range[1] || first === "|" || first === ">") return [range[0], range[1]];
  const at = first === '"' || first === "'" ? quotedIndex(text, range, offset) : range[0] + offset;
  if (at === null) return [range[0], range[1]];
  // An offset at the end of the value (an expression that ends too early) points at its last character.
  const point = Math.min(at, range[1] - 1);
  return [point, point + 1];
}

/** Where character `offset` of a quoted scalar's value is written; null across a line break. */
function quotedIndex(text: string, range: readonly [number, number], offset: number): number | null {
  const quote = text[range[0]];
  let i = range[0] + 1;
  for (let n = 0; n < offset && i < range[1]; n++) {
    const c = text[i];
    if (c === "\n" || c === "\r") return null;
    if (quote === "'") i += c === "'" ? 2 : 1;
    else if (c !== "\\") i += 1;
    else {
      const e = text[i + 1];
      if (e === "\n" || e === "\r") return null;
      i += e === "x" ? 4 : e === "u" ? 6 : e === "U" ? 10 : 2;
    }
  }
  return i;
}

/**
 * A need as written: the job it names, its condition (undefined: the default), and where it is
 * written (its index in a list, its key in a map; see needPath).
 */
export interface WrittenNeed {
  readonly name: string;
  readonly condition: string | undefined;
  readonly at: number | string;
}

/**
 * A job whose shape is right. An object, not a tuple: rules destructure one per job and need, and
 * destructuring a tuple goes through an iterator (garbage, in code not yet optimized).
 */
export interface ShapedJob {
  readonly name: string;
  readonly job: WrittenJob;
  readonly needs: readonly WrittenNeed[];
}

/** The jobs of a file whose shape is right, each with its needs. */
function shapedJobs(file: JobFile, wellShaped: ReadonlySet<string>): ShapedJob[] {
  const out: ShapedJob[] = [];
  for (const name of Object.keys(file.jobs)) {
    const job = file.jobs[name]!;
    if (wellShaped.has(name)) out.push({ name, job, needs: needsOf(job) });
  }
  return out;
}

/** Shared by every job without needs (most jobs of a big file have one or none). */
const NO_NEEDS: readonly WrittenNeed[] = Object.freeze([]);

/** The needs of a job, whichever form it was written in. */
function needsOf(job: WrittenJob): readonly WrittenNeed[] {
  const needs = job.needs;
  if (!needs) return NO_NEEDS;
  if (Array.isArray(needs)) return needs.map((name, at) => ({ name, condition: undefined, at }));
  return Object.keys(needs).map((name) => ({ name, condition: needs[name], at: name }));
}

/** The path of a need of job `name`, from where it is written (see WrittenNeed) (built only to report it). */
export const needPath = (name: string, at: number | string): Path => ["jobs", name, "needs", at];
