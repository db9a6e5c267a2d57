// The loader: job file text → diagnostics, and a frozen JobGraph when there is no error.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Source } from "../graph/source.js";
import type { JobGraph } from "../graph/types.js";
import type { Diagnostic } from "./diagnostic.js";
import { type NormalizeOptions, normalize } from "./normalize.js";
import { parse } from "./parse.js";
import { rules } from "./rules/index.js";
import { makeContext } from "./rules/rule.js";
import { checkSchema } from "./schema.js";
import type { ProcflowJobFile as JobFile } from "./written.js";

export interface Loaded {
  readonly diagnostics: readonly Diagnostic[];
  /** Present when no diagnostic is an error. */
  readonly graph?: JobGraph;
  /** With `matrixPlaceholder`, beside `graph`: the same file with one instance per job (see NormalizeOptions). */
  readonly templates?: JobGraph;
}

/** Options of the loader: with `matrixPlaceholder`, it also returns `templates`, from the same one check. */
export type LoadOptions = NormalizeOptions;

export async function loadFile(path: string, opts?: LoadOptions): Promise<Loaded> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const source: Source = { path, text: "" };
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a folder, not a job file"
          : (e as Error).message;
    return {
      diagnostics: [
        {
          source,
          range: [0, 0],
          severity: "error",
          code: "file-unreadable",
          message: `cannot read ${path}: ${why}`,
        },
      ],
    };
  }
  return loadText(text, path, opts);
}

export function loadText(text: string, path: string, opts?: LoadOptions): Loaded {
  const source: Source = { path, text };
  const diagnostics: Diagnostic[] = [];
  const done = () => ({ diagnostics: diagnostics.sort((a, b) => a.range[0] - b.range[0]) });
  const parsed = parse(source, diagnostics);
  const shaped = parsed && checkSchema(parsed.value, source, parsed.locate, diagnostics);
  if (!parsed || !shaped) return done();
  const file = parsed.value as JobFile;
  // Jobs whose shape is wrong were reported already; the rules check the others.
  const ctx = makeContext(file, shaped, source, dirname(resolve(path)), parsed.locate, diagnostics);
  for (const rule of rules) rule(ctx);
  if (diagnostics.some((d) => d.severity === "error")) return done();
  const graph = normalize(file, path, source, parsed.fields);
  if (!opts?.matrixPlaceholder) return { ...done(), graph };
  return { ...done(), graph, templates: normalize(file, path, source, parsed.fields, opts) };
}
