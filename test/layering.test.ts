// The layers of src/ hold (STYLE.md): data flows one way, so upstream folders never import downstream
// ones, and only src/run/process/ starts or signals processes. Read from the import statements.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = new URL("../src/", import.meta.url).pathname;

interface Import {
  /** The importing file, relative to src/. */
  readonly file: string;
  /** The imported file relative to src/ (`load/index.ts`), or the package (`node:fs`, `execa`). */
  readonly target: string;
}

/** Every module a file reaches: import and export … from, `import type`, `import()` and `import("…").T`. */
function importsOf(file: string, text: string): Import[] {
  const found: Import[] = [];
  const add = (specifier: string) => {
    const target = specifier.startsWith(".")
      ? relative(SRC, resolve(dirname(join(SRC, file)), specifier)).replace(/\.js$/, ".ts")
      : specifier;
    found.push({ file, target });
  };
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      add((node.moduleSpecifier as ts.StringLiteral).text);
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    )
      add(node.arguments[0].text);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      add((node.argument.literal as ts.StringLiteral).text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true));
  return found;
}

const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => /\.ts$/.test(f)).sort();
const imports = files.flatMap((f) => importsOf(f, readFileSync(join(SRC, f), "utf8")));

/** Imports from files under `from` (a folder with "/", or a file) of anything under one of `to`. */
const violations = (from: string, to: readonly string[]) =>
  imports
    .filter((i) => i.file.startsWith(from) && to.some((t) => i.target.startsWith(t)))
    .map((i) => `${i.file} → ${i.target}`);

describe("layering of src/", () => {
  it("reads every kind of import (a check that finds nothing would prove nothing)", () => {
    const text = `import a from "./a.js";
import type { B } from "../graph/b.js";
import { type C, d } from "node:child_process";
export * from "./e.js";
export { f } from "execa";
const g = await import("./g.js");
let h: import("../run/h.js").H;
const i = require("i");
`;
    expect(importsOf("load/x.ts", text).map((i) => i.target)).toEqual([
      "load/a.ts",
      "graph/b.ts",
      "node:child_process",
      "load/e.ts",
      "execa",
      "load/g.ts",
      "run/h.ts",
      "i",
    ]);
    expect(files).toContain("load/index.ts");
    expect(imports.length).toBeGreaterThan(files.length);
  });

  it("graph/ imports nothing else of src/: it is the plain data everything else shares", () => {
    const outside = imports.filter((i) => i.target.endsWith(".ts") && !i.target.startsWith("graph/"));
    expect(outside.filter((i) => i.file.startsWith("graph/")).map((i) => `${i.file} → ${i.target}`)).toEqual(
      [],
    );
  });

  it("load/ imports nothing downstream: run/, report/, cli/, export/, events.ts", () => {
    expect(violations("load/", ["run/", "report/", "cli/", "export/", "events.ts"])).toEqual([]);
  });

  it("expr/ (the expression language) is pure: it imports nothing else of src/ and no node: module", () => {
    const outside = imports.filter(
      (i) => i.file.startsWith("expr/") && !i.target.startsWith("expr/") && !/^vitest$/.test(i.target),
    );
    expect(files.some((f) => f.startsWith("expr/"))).toBe(true);
    expect(outside.map((i) => `${i.file} → ${i.target}`)).toEqual([]);
  });

  it("events.ts (the RunEvent union) depends on the graph only, not on load/, run/, report/ or cli/", () => {
    expect(violations("events.ts", ["load/", "run/", "report/", "cli/", "export/"])).toEqual([]);
  });

  it("report/ never imports run/ or cli/: reporters work from events", () => {
    expect(violations("report/", ["run/", "cli/"])).toEqual([]);
  });

  it("the executor is entered only by `procflow run` and the public API", () => {
    const users = imports.filter((i) => i.target === "run/executor.ts").map((i) => i.file);
    expect(users.filter((f) => f !== "cli/run.ts" && f !== "index.ts")).toEqual([]);
  });

  it("the web page (src/web/page/, built for the browser) imports nothing from the rest of src/", () => {
    const page = (readdirSync(join(SRC, "web/page")) as string[]).filter((f) => /\.tsx?$/.test(f));
    const out = page.flatMap((f) =>
      importsOf(`web/page/${f}`, readFileSync(join(SRC, "web/page", f), "utf8")).filter(
        (i) => i.target.endsWith(".ts") && !i.target.startsWith("web/page/"),
      ),
    );
    expect(page.length).toBeGreaterThan(3);
    expect(out.map((i) => `${i.file} → ${i.target}`)).toEqual([]);
  });

  it("only src/run/process/ imports node:child_process or execa", () => {
    const spawners = imports.filter((i) => /^(node:)?child_process$|^execa(\/|$)/.test(i.target));
    expect(spawners.length).toBeGreaterThan(0);
    expect(spawners.filter((i) => !i.file.startsWith("run/process/")).map((i) => i.file)).toEqual([]);
  });
});
