// The loader: job file text (and the files it includes) → diagnostics, and a frozen JobGraph when
// there is no error.
import type { Source } from "../graph/source.js";
import type { JobGraph } from "../graph/types.js";
import type { Diagnostic } from "./diagnostic.js";
import { type NormalizeOptions, normalize } from "./normalize.js";
import { rules } from "./rules/index.js";
import { makeContext, type RuleContext, type TreeView, type WrittenNeed } from "./rules/rule.js";
import { loadTree, readJobFile, type Unit } from "./tree.js";
import type { Job as WrittenJob } from "./written.js";

export interface Loaded {
  readonly diagnostics: readonly Diagnostic[];
  /** Present when no diagnostic is an error (and the load was not `checkOnly`). */
  readonly graph?: JobGraph;
  /** With `matrixPlaceholder`, beside `graph`: the same file with one instance per job (see NormalizeOptions). */
  readonly templates?: JobGraph;
  /** Absolute paths of the files it includes, directly or not (SPEC §15). */
  readonly includes?: readonly string[];
}

/**
 * Options of the loader: with `matrixPlaceholder`, it also returns `templates`, from the same one
 * check; with `checkOnly`, it only checks (no `graph`: `procflow validate` needs none, and building it
 * costs a tenth of the check).
 */
export type LoadOptions = NormalizeOptions & { readonly checkOnly?: boolean };

export async function loadFile(path: string, opts?: LoadOptions): Promise<Loaded> {
  const read = readJobFile(path);
  if ("why" in read) {
    const source: Source = { path, text: "" };
    const message = `cannot read ${path}: ${read.why}`;
    return { diagnostics: [{ source, range: [0, 0], severity: "error", code: "file-unreadable", message }] };
  }
  return loadText(read.text, path, opts);
}

/** Loads a job file's text; the files it includes are read from disk, relative to `path`. */
export function loadText(text: string, path: string, opts?: LoadOptions): Loaded {
  const diagnostics: Diagnostic[] = [];
  const order = new Map<Source, number>();
  let includes: string[] | undefined;
  const done = () => ({
    diagnostics: diagnostics.sort(
      (a, b) => (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0) || a.range[0] - b.range[0],
    ),
    ...(includes && includes.length > 0 ? { includes } : {}),
  });
  const units = loadTree(text, path, diagnostics);
  if (!units) return done();
  includes = units.slice(1).map((u) => u.file);
  for (const [i, u] of units.entries()) order.set(u.source, i);
  checkRules(units, diagnostics);
  if (opts?.checkOnly || diagnostics.some((d) => d.severity === "error")) return done();
  const graph = normalize(units);
  if (!opts?.matrixPlaceholder) return { ...done(), graph };
  return { ...done(), graph, templates: normalize(units, opts) };
}

/** Every rule over every file of the tree; jobs whose shape is wrong were reported already. */
function checkRules(units: readonly Unit[], diagnostics: Diagnostic[]) {
  const files: RuleContext[] = [];
  const jobs = new Map<string, { job: WrittenJob; needs: readonly WrittenNeed[]; ctx: RuleContext }>();
  const names = new Set<string>();
  for (const u of units) for (const name of Object.keys(u.value.jobs)) names.add(name);
  const tree: TreeView = { files, jobs, names };
  for (const u of units) {
    const ctx = makeContext(tree, u.value, u.shaped, u.source, u.dir, u.locate, diagnostics);
    files.push(ctx);
    for (const { name, job, needs } of ctx.jobs) if (!jobs.has(name)) jobs.set(name, { job, needs, ctx });
  }
  for (const ctx of files) for (const rule of rules) rule(ctx);
}
