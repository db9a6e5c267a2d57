// The process edge: runs the CLI, waits for stdout to drain, exits with the CLI's code.
// An exception that reaches here is a bug of procflow: exit 70 and say where to report it.
import { ExitCode } from "./exit-codes.js";
import { main as cli } from "./main.js";
import { drainStdout } from "./output.js";

export const BUG_REPORT =
  "this is a bug in procflow; please report it at https://github.com/procflow/procflow/issues";

export async function main(argv = process.argv.slice(2)): Promise<void> {
  let code: number;
  try {
    code = await cli(argv);
  } catch (e) {
    process.stderr.write(`procflow: internal error: ${(e as Error)?.stack ?? String(e)}\n${BUG_REPORT}\n`);
    code = ExitCode.internal;
  }
  await drainStdout();
  process.exit(code);
}
