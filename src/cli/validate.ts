// `procflow validate` and `procflow graph`: load files, print diagnostics or the graph.

import { readdirSync } from "node:fs";
import { join } from "node:path";
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
  const paths = jobFiles(files);
  const loaded = await Promise.all(paths.map((f) => loadFile(f)));
  const all: Diagnostic[] = loaded.flatMap((l) => l.diagnostics);
  const failed = hasErrors(all, opts.strict);
  const c = colors(opts.color);
  if (opts.format === "text") {
    process.stderr.write(formatDiagnostics(all, "text", c, { listAll: "--format json" }));
    const errors = all.filter((d) => d.severity === "error").length;
    const warnings = all.length - errors;
    const counts = `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
    const valid =
      paths.length -
      new Set(all.filter((d) => d.severity === "error" || opts.strict).map((d) => d.source.path)).size;
    writeOut(
      failed
        ? `${c.red("✖")} ${valid} of ${paths.length} file${paths.length === 1 ? "" : "s"} valid (${counts})\n`
        : `${c.green("✔")} ${paths.length} file${paths.length === 1 ? "" : "s"} valid${warnings ? ` (${counts})` : ""}\n`,
    );
  } else writeOut(formatDiagnostics(all, opts.format, c, { listAll: "--format json" }));
  return failed ? ExitCode.usage : ExitCode.ok;
}

/** The files to check: a folder stands for the YAML files in it (`procflow validate jobs/`). */
function jobFiles(paths: string[]): string[] {
  return paths.flatMap((path) => {
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      return [path]; // a file, or what loadFile will report as unreadable
    }
    const yaml = names.filter((n) => /\.ya?ml$/.test(n)).sort();
    return yaml.length > 0 ? yaml.map((n) => join(path, n)) : [path];
  });
}

export async function graphFile(file: string, format: GraphFormat, color: boolean): Promise<number> {
  const { diagnostics, graph } = await loadFile(file);
  process.stderr.write(formatDiagnostics(diagnostics, "text", colors(color)));
  if (!graph) return ExitCode.usage;
  writeOut(renderGraph(graph, format));
  return ExitCode.ok;
}
