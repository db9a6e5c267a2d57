// The include resolver (SPEC §15): a job file and the files it includes, recursively → one unit per
// file, each parsed and shape-checked with its own Source, so that every diagnostic names its file.
// A file included twice (a diamond) is one unit; a cycle or a missing file is an error at its include.
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { Source } from "../graph/source.js";
import type { Diagnostic } from "./diagnostic.js";
import { type FieldLocator, type Locator, parse } from "./parse.js";
import { checkSchema } from "./schema.js";
import type { ProcflowJobFile as JobFile } from "./written.js";

/** One file of the tree, checked for its shape. */
export interface Unit {
  readonly source: Source;
  /** Absolute path of the file. */
  readonly file: string;
  /** Its folder: the declaring file's relative paths start there. */
  readonly dir: string;
  readonly value: JobFile;
  /** Its jobs whose shape is right. */
  readonly shaped: ReadonlySet<string>;
  readonly locate: Locator;
  readonly fields: FieldLocator;
}

/** The text of a job file, or why it cannot be read. */
export function readJobFile(path: string): { text: string } | { why: string } {
  try {
    return { text: readFileSync(path, "utf8") };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      why: code === "ENOENT" ? "no such file" : code === "EISDIR" ? folderWhy(path) : (e as Error).message,
    };
  }
}

/** Why a folder is no job file, and which of its files are. */
function folderWhy(path: string): string {
  let yaml: string[];
  try {
    yaml = readdirSync(path).filter((n) => /\.ya?ml$/.test(n));
  } catch {
    return "it is a folder, not a job file";
  }
  return yaml.length === 0
    ? "it is a folder, and holds no .yaml or .yml file"
    : `it is a folder, not a job file: name one of its files (${yaml.slice(0, 3).join(", ")}${yaml.length > 3 ? ", …" : ""})`;
}

/** The units of the tree whose top file has `text`: the top first, then each include depth first. */
export function loadTree(text: string, path: string, diagnostics: Diagnostic[]): Unit[] | undefined {
  const units: Unit[] = [];
  const loaded = new Set<string>();
  const top = unitOf({ path, text }, diagnostics);
  if (!top) return undefined;
  const visit = (unit: Unit, stack: readonly Unit[]) => {
    units.push(unit);
    loaded.add(same(unit.file));
    const include = unit.value.include;
    const entries = typeof include === "string" ? [include] : Array.isArray(include) ? include : [];
    entries.forEach((entry, i) => {
      if (typeof entry !== "string") return;
      const at = typeof include === "string" ? ["include"] : ["include", i];
      const report = (code: string, message: string) =>
        diagnostics.push({ source: unit.source, range: unit.locate(at), severity: "error", code, message });
      const file = resolve(unit.dir, entry);
      const chain = [...stack, unit];
      // A file is the same through any path to it (a symlink, `a/../b`).
      const from = chain.findIndex((u) => same(u.file) === same(file));
      const shown = isAbsolute(entry) ? entry : join(dirname(unit.source.path), entry);
      if (from !== -1) {
        const names = [...chain.slice(from).map((u) => u.source.path), shown];
        report("include-cycle", `include: cycle ${names.join(" → ")}; remove one of these includes`);
        return;
      }
      if (loaded.has(same(file))) return; // a diamond: loaded once
      const read = readJobFile(file);
      if ("why" in read) {
        const where = shown === entry ? "" : ` (${shown})`;
        report("include-missing", `include: cannot read ${entry}${where}: ${read.why}`);
        return;
      }
      const child = unitOf({ path: shown, text: read.text }, diagnostics);
      if (child) {
        ignoredFields(child, diagnostics);
        visit(child, chain);
      } else loaded.add(same(file));
    });
  };
  visit(top, []);
  return units;
}

/** The file's real path (the path itself when it cannot be read). */
function same(file: string): string {
  try {
    return realpathSync.native(file);
  } catch {
    return file;
  }
}

function unitOf(source: Source, diagnostics: Diagnostic[]): Unit | undefined {
  const parsed = parse(source, diagnostics);
  const checked = parsed && checkSchema(parsed.value, source, parsed.locate, diagnostics);
  if (!parsed || !checked) return undefined;
  const file = resolve(source.path);
  return {
    source,
    file,
    dir: dirname(file),
    value: checked.value as JobFile,
    shaped: checked.shaped,
    locate: parsed.locate,
    fields: parsed.fields,
  };
}

/** An included file's `name` and `concurrency` do not apply: the top file's do. */
function ignoredFields(unit: Unit, diagnostics: Diagnostic[]) {
  for (const key of ["name", "concurrency"] as const)
    if (unit.value[key] !== undefined)
      diagnostics.push({
        source: unit.source,
        range: unit.locate([key], { key: true }),
        severity: "warning",
        code: "include-ignored",
        message: `${key}: ignored in an included file (the top file's ${key} applies to the run)`,
      });
}
