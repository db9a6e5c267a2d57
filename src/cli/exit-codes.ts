// procflow's exit codes (SPEC §7).
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
