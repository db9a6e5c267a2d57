// `npm install`'s build, skipped when the build is newer than every source. `npx procflow` in a fresh
// clone installs the project itself into npm's cache (a link to this folder) and runs `prepare`
// again: without this check its first start took a whole build (~4 s) more.
import { execSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const INPUTS = [
  "src",
  "schemas",
  "scripts",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
];

/** The newest modification time under `path` (0 when it does not exist). */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

// Written last by the build (scripts/bundle.mjs): missing after an interrupted one.
const built = newest("dist/cli-bundle/built");
if (built === 0 || INPUTS.some((p) => newest(p) > built)) execSync("npm run build", { stdio: "inherit" });
