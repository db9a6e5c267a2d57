// Files shipped with procflow (package.json, the schema, the target bootstrap), found from wherever
// the running code is: src/ under vitest, dist/ when compiled, a chunk of the CLI bundle.
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's root: the nearest folder above this code that holds procflow's package.json. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(`${dir}/package.json`) || !existsSync(`${dir}/schemas/procflow.schema.json`)) {
    const up = dirname(dir);
    if (up === dir) throw new Error("procflow: cannot find its package root");
    dir = up;
  }
  return dir;
}

export const packageRoot = findRoot();

export const readPackageFile = (relative: string): string =>
  readFileSync(`${packageRoot}/${relative}`, "utf8");

export const packageVersion = (): string =>
  (JSON.parse(readPackageFile("package.json")) as { version: string }).version;
