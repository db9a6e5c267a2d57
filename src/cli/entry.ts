// The process edge: runs the CLI, waits for stdout to drain, exits with the CLI's code.
// An exception that reaches here is a bug of procflow: exit 70 and say how to report it.
import { ExitCode } from "../exit-codes.js";
import { readPackageFile } from "../paths.js";
import { abortActiveRuns } from "../run/active.js";
import { main as cli } from "./main.js";
import { drainStdout } from "./output.js";
import type { RunStart } from "./run-start.js";

export { restoreV8Flags } from "../v8-flags.js";

export async function main(argv = process.argv.slice(2), start?: RunStart): Promise<void> {
  if (process.platform === "win32") {
    process.stderr.write("procflow: Windows is not supported yet (Linux and macOS are)\n");
    process.exit(ExitCode.usage);
  }
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  let code: number;
  try {
    code = await cli(argv, start);
  } catch (e) {
    return crash(e);
  }
  await drainStdout();
  if (!crashing) process.exit(code);
}

let crashing = false;

/** A bug: say so, kill everything the run started, exit 70. */
async function crash(e: unknown): Promise<void> {
  if (crashing) return;
  crashing = true;
  const stack = (e as Error)?.stack;
  const trace = stack
    ? await import("./source-stack.js").then(
        (m) => m.sourceStack(stack),
        () => stack,
      )
    : String(e);
  process.stderr.write(`procflow: internal error: ${trace}\n${bugReport()}\n`);
  await abortActiveRuns();
  await drainStdout();
  process.exit(ExitCode.internal);
}

interface PackageJson {
  version?: string;
  bugs?: string | { url?: string; email?: string };
  repository?: string | { url?: string };
}

/** How to report a bug, from what package.json really says: where (if it says), the version, what to send. */
function bugReport(): string {
  let pkg: PackageJson = {};
  try {
    pkg = JSON.parse(readPackageFile("package.json")) as PackageJson;
  } catch {} // the report still says what to include
  const { bugs, repository } = pkg;
  const where =
    typeof bugs === "string"
      ? bugs
      : (bugs?.url ?? bugs?.email ?? (typeof repository === "string" ? repository : repository?.url));
  return (
    `this is a bug in procflow ${pkg.version ?? "(version unknown)"} (Node.js ${process.version}, ${process.platform}); ` +
    `please report it${where ? ` at ${where}` : ""} with the command line, the job file and the output above`
  );
}
