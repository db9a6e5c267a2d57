// Whether procflow's own output is coloured: --no-color, then NO_COLOR, then FORCE_COLOR, then a terminal.
import pc from "picocolors";
import type { Colors } from "picocolors/types.js";

export function colorEnabled(
  stream: NodeJS.WriteStream,
  flag: boolean | undefined,
  env = process.env,
): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  return Boolean(stream.isTTY) && env.TERM !== "dumb";
}

export const colors = (enabled: boolean): Colors => pc.createColors(enabled);
