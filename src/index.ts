// procflow's public API: load and validate job files, run a graph with your own reporters.
export type { EndState, EventOf, Reporter, RunEvent, RunState, SkipCause, StopReason } from "./events.js";
export { selectJobs } from "./graph/select.js";
export type { Range, Source } from "./graph/source.js";
export type { Condition, Job, JobGraph, Need, Probe, ProbeCheck } from "./graph/types.js";
export type { Diagnostic, Severity } from "./load/diagnostic.js";
export { position } from "./load/diagnostic.js";
export { type Loaded, loadFile, loadText } from "./load/index.js";
export { type DiagnosticFormat, formatDiagnostics } from "./load/print.js";
export type { ProcflowJobFile as JobFile } from "./load/written.js";
export { createReporters, type OutputMode } from "./report/index.js";
export {
  type Command,
  type CommandAnswer,
  type RunControl,
  type RunOptions,
  type RunResult,
  runGraph,
} from "./run/executor.js";
export type { Policy } from "./run/scheduler.js";
