// procflow's exit codes (SPEC §7): the one table, for the CLI and for a run's result.
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  internal: 70,
  timeout: 124,
  sighup: 129,
  sigint: 130,
  sigterm: 143,
} as const;

/** The exit code of a run interrupted by a signal (a wrapper that exits counts as SIGTERM). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === "SIGHUP" ? ExitCode.sighup : signal === "SIGINT" ? ExitCode.sigint : ExitCode.sigterm;
}
