// The process edge: runs the CLI, waits for stdout to drain, exits with the CLI's code.
// An exception that reaches here is a bug of procflow: exit 70 and say where to report it.

import { ExitCode } from "../exit-codes.js";
import { abortActiveRuns } from "../run/active.js";
import { main as cli } from "./main.js";
import { drainStdout } from "./output.js";

const BUG_REPORT =
  "this is a bug in procflow; please report it at https://github.com/procflow/procflow/issues";

export async function main(argv = process.argv.slice(2)): Promise<void> {
  if (process.platform === "win32") {
    process.stderr.write("procflow: Windows is not supported yet (Linux and macOS are)\n");
    process.exit(ExitCode.usage);
  }
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  let code: number;
  try {
    code = await cli(argv);
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
  process.stderr.write(`procflow: internal error: ${(e as Error)?.stack ?? String(e)}\n${BUG_REPORT}\n`);
  await abortActiveRuns();
  await drainStdout();
  process.exit(ExitCode.internal);
}
