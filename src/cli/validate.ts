// `procflow validate` and `procflow graph`: load files, print diagnostics or the graph.

import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { ExitCode } from "../exit-codes.js";
import { type GraphFormat, renderGraph } from "../graph/render.js";
import { type Diagnostic, hasErrors } from "../load/diagnostic.js";
import { loadFile } from "../load/index.js";
import { type DiagnosticFormat, formatDiagnostics } from "../load/print.js";
import { colors } from "./color.js";
import { writeOut } from "./output.js";

export async function validateFiles(
  files: string[],
  opts: { format: DiagnosticFormat; strict?: boolean; color: boolean },
): Promise<number> {
  const { paths, fromFolders } = jobFiles(files);
  let loaded = await Promise.all(paths.map((f) => loadFile(f, { checkOnly: true })));
  // A file of a folder that another file of it includes is checked within that file's tree only.
  // Files that include each other (a cycle) are one tree, checked from the first of them: each
  // tree would report the cycle at another include.
  const includes = loaded.map((l) => new Set(l.includes ?? []));
  const keep = paths.map(
    (p, i) =>
      !fromFolders.has(p) ||
      !paths.some((q, j) => includes[j]!.has(resolve(p)) && (j < i || !includes[i]!.has(resolve(q)))),
  );
  loaded = loaded.filter((_, i) => keep[i]);
  const checked = paths.filter((_, i) => keep[i]);
  // A file in two trees (a diamond across files, a cycle) says each of its problems once.
  const seen = new Set<string>();
  const all: Diagnostic[] = loaded
    .flatMap((l) => l.diagnostics)
    .filter((d) => {
      const key = `${resolve(d.source.path)}\0${d.range[0]}\0${d.code}\0${d.message}`;
      return !seen.has(key) && !!seen.add(key);
    });
  const failed = hasErrors(all, opts.strict);
  const c = colors(opts.color);
  if (opts.format === "text") {
    process.stderr.write(formatDiagnostics(all, "text", c, { listAll: "--format json" }));
    const errors = all.filter((d) => d.severity === "error").length;
    const warnings = all.length - errors;
    const counts = `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
    const bad = loaded.filter((l) => hasErrors(l.diagnostics, opts.strict)).length;
    const n = checked.length;
    writeOut(
      failed
        ? `${c.red("✖")} ${n - bad} of ${n} file${n === 1 ? "" : "s"} valid (${counts})\n`
        : `${c.green("✔")} ${n} file${n === 1 ? "" : "s"} valid${warnings ? ` (${counts})` : ""}\n`,
    );
  } else writeOut(formatDiagnostics(all, opts.format, c, { listAll: "--format json" }));
  return failed ? ExitCode.usage : ExitCode.ok;
}

/** The files to check: a folder stands for the YAML files in it (`procflow validate jobs/`). */
function jobFiles(paths: string[]): { paths: string[]; fromFolders: Set<string> } {
  const fromFolders = new Set<string>();
  const out = paths.flatMap((path) => {
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      return [path]; // a file, or what loadFile will report as unreadable
    }
    const yaml = names.filter((n) => /\.ya?ml$/.test(n)).sort();
    if (yaml.length === 0) return [path];
    const files = yaml.map((n) => join(path, n));
    for (const f of files) fromFolders.add(f);
    return files;
  });
  return { paths: out, fromFolders };
}

export async function graphFile(file: string, format: GraphFormat, color: boolean): Promise<number> {
  const { diagnostics, graph } = await loadFile(file);
  process.stderr.write(formatDiagnostics(diagnostics, "text", colors(color)));
  if (!graph) return ExitCode.usage;
  writeOut(renderGraph(graph, format));
  return ExitCode.ok;
}
