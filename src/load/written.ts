// Generated from schemas/procflow.schema.json by `npm run gen`. Do not edit.

/**
 * Working directory, relative to the job file's folder. Default: that folder.
 */
export type Cwd = string
/**
 * A dotenv file, or a list of them, relative to the job file's folder; later files win.
 */
export type EnvFile = (string | string[])
/**
 * Run `command` (a string) through a shell: true for /bin/sh, or a shell path or name. `args` become $1, $2, …
 */
export type Shell = (boolean | string)
/**
 * Signal sent to stop the job's process group. Default SIGTERM.
 */
export type Signal = ("SIGTERM" | "SIGINT" | "SIGHUP" | "SIGQUIT" | "SIGKILL" | "SIGUSR1" | "SIGUSR2" | "SIGABRT" | "SIGALRM" | "SIGPIPE" | "SIGWINCH")
/**
 * When to start the job again after it ends: never (default), on-failure, always.
 */
export type Restart = ("never" | "on-failure" | "always")
/**
 * How many restarts are allowed. Default 3.
 */
export type MaxRestarts = number
/**
 * Exit codes that count as success. Default [0].
 * 
 * @minItems 1
 */
export type SuccessCodes = [number, ...(number)[]]
/**
 * One job: a process to run, or a JavaScript target to run in a forked Node child.
 */
export type Job = ({
command?: Command
/**
 * Run an exported JS function or class in a forked Node child: ./module.mjs#export (#default when omitted), relative to the job file.
 */
target?: string
/**
 * Appended to the argv, each one argument, never re-split; a number as written (`1.10`, `0x10`). For a target, the call's arguments (any JSON).
 */
args?: unknown[]
shell?: Shell
cwd?: Cwd
env?: Env1
env_file?: EnvFile
/**
 * Names of free TCP ports on 127.0.0.1 that procflow picks for this job before the run: given to it as PROCFLOW_PORT_<NAME>, and to every job as ${{ jobs.<job>.ports.<name> }}.
 */
ports?: string[]
/**
 * Makes the job cacheable (SPEC §13): glob patterns of the files its result depends on, relative to its cwd. When nothing they cover has changed, the job is not started: its outputs are restored and its output replayed.
 * 
 * @minItems 1
 */
inputs?: [string, ...(string)[]]
/**
 * Glob patterns of the files a cacheable job makes, relative to its cwd: stored after it succeeds, restored when it is cached. Needs inputs.
 */
outputs?: string[]
/**
 * Variables of procflow's own environment whose values count in a cacheable job's fingerprint.
 */
inputs_env?: string[]
/**
 * Join dependencies: a list of job names (default condition success, or ready for a daemon), or a map name → condition.
 */
needs?: (string[] | {
[k: string]: Condition
})
/**
 * A daemon serves the other jobs and is stopped once every non-daemon job has ended; being stopped then is not a failure.
 */
daemon?: boolean
ready?: ReadyProbe
health?: HealthProbe
restart?: Restart
max_restarts?: MaxRestarts
/**
 * Wait before the first restart; doubles each time, up to 30s. Default 1s.
 */
restart_delay?: (string | number)
/**
 * Wall-time limit of one attempt; then the job is stopped and counts as timed_out. Never applies to daemons.
 */
timeout?: (string | number)
/**
 * Grace between stop_signal and SIGKILL. Default 5s.
 */
kill_timeout?: (string | number)
stop_signal?: Signal
success_codes?: SuccessCodes
/**
 * A failure is reported but does not fail the run or skip dependents.
 */
allow_failure?: boolean
/**
 * Run the job only when this expression is true (a bare expression or one ${{ }}), evaluated when its needs are met; false skips it without failing the run.
 */
if?: (string | boolean)
/**
 * Fan-out: key → list of scalar values (or one ${{ }} expression yielding it), or the whole map as one expression; one instance per combination, named job[key=value,…].
 */
matrix?: ({
[k: string]: ([(string | number | boolean), ...((string | number | boolean))[]] | string)
} | string)
watch?: Watch
/**
 * What the job does, shown in graph and reports.
 */
description?: string
} & Job1)
/**
 * The program: an argv list, or a string split into words like a shell does (quotes honoured) but run without a shell unless `shell` is set.
 */
export type Command = (string | string[])
/**
 * When a need is met: success, failure, always (any end), started (has a live process), ready (passed its ready probe).
 */
export type Condition = ("success" | "failure" | "always" | "started" | "ready")
/**
 * When the job counts as ready: exactly one of log, tcp, http, command, delay, plus interval and timeout.
 */
export type ReadyProbe = ({
/**
 * Ready/healthy when a line of the job's stdout or stderr matches this regular expression (JavaScript syntax).
 */
log?: string
/**
 * Ready/healthy when a TCP connection opens: a port on 127.0.0.1, or "HOST:PORT".
 */
tcp?: (number | string)
/**
 * Ready/healthy when a GET of this URL answers with a 2xx status.
 */
http?: string
/**
 * The program: an argv list, or a string split into words like a shell does (quotes honoured) but run without a shell unless `shell` is set.
 */
command?: (string | string[])
/**
 * Time between two checks. Default 250ms for ready, 5s for health.
 */
interval?: (string | number)
/**
 * For ready: give up (the job fails) after this long; default 60s. For health: the limit of one check; default 5s.
 */
timeout?: (string | number)
/**
 * Ready this long after the job starts.
 */
delay?: (string | number)
} & ReadyProbe1)
export type ReadyProbe1 = {
[k: string]: unknown
}
/**
 * Liveness while the job runs: exactly one of log, tcp, http, command, checked every interval; after `retries` failures in a row the job is stopped and counts as failed.
 */
export type HealthProbe = ({
/**
 * Ready/healthy when a line of the job's stdout or stderr matches this regular expression (JavaScript syntax).
 */
log?: string
/**
 * Ready/healthy when a TCP connection opens: a port on 127.0.0.1, or "HOST:PORT".
 */
tcp?: (number | string)
/**
 * Ready/healthy when a GET of this URL answers with a 2xx status.
 */
http?: string
/**
 * The program: an argv list, or a string split into words like a shell does (quotes honoured) but run without a shell unless `shell` is set.
 */
command?: (string | string[])
/**
 * Time between two checks. Default 250ms for ready, 5s for health.
 */
interval?: (string | number)
/**
 * For ready: give up (the job fails) after this long; default 60s. For health: the limit of one check; default 5s.
 */
timeout?: (string | number)
/**
 * Failed checks in a row before the job is stopped. Default 3.
 */
retries?: number
} & HealthProbe1)
export type HealthProbe1 = {
[k: string]: unknown
}
/**
 * Files whose change restarts the job in `procflow run --watch` (ignored otherwise): a list of glob patterns relative to the job's cwd, or a map with paths, ignore, debounce and cascade.
 */
export type Watch = ([string, ...(string)[]] | {
paths: Globs
ignore?: Globs1
/**
 * Quiet period after a change before the job restarts; each new change starts it over. Default 200ms.
 */
debounce?: (string | number)
/**
 * Also restart the jobs that need this one (transitively) once it reaches the condition they need again. Default true.
 */
cascade?: boolean
})
/**
 * The files to watch.
 * 
 * @minItems 1
 */
export type Globs = [string, ...(string)[]]
/**
 * Changes to files matching these patterns do not count.
 * 
 * @minItems 1
 */
export type Globs1 = [string, ...(string)[]]
export type Job1 = {
[k: string]: unknown
}

/**
 * A procflow job file: processes, their arguments, join dependencies (needs) and daemons.
 */
export interface ProcflowJobFile {
/**
 * Format version of this file. Always 1.
 */
version: 1
/**
 * Name of the run, shown in reports. Defaults to the file name without extension.
 */
name?: string
/**
 * What this file runs, shown in `procflow graph` and reports.
 */
description?: string
/**
 * Other job files whose jobs join this file's graph, relative to this file's folder (their own includes too). Each job keeps the folder, env and defaults of the file that declares it; an included file's name and concurrency are ignored.
 */
include?: (string | string[])
env?: Env
/**
 * Dotenv file(s), relative to this file's folder, for every job (below env).
 */
env_file?: (string | string[])
/**
 * Most non-daemon jobs running at once. Default: the number of CPUs. Daemons take no slot.
 */
concurrency?: number
/**
 * Defaults for every job; a job's own value wins.
 */
defaults?: {
cwd?: Cwd
env?: Env1
env_file?: EnvFile
shell?: Shell
/**
 * Wall-time limit of one attempt; then the job is stopped and counts as timed_out. Never applies to daemons.
 */
timeout?: (string | number)
/**
 * Grace between stop_signal and SIGKILL. Default 5s.
 */
kill_timeout?: (string | number)
stop_signal?: Signal
restart?: Restart
max_restarts?: MaxRestarts
/**
 * Wait before the first restart; doubles each time, up to 30s. Default 1s.
 */
restart_delay?: (string | number)
success_codes?: SuccessCodes
}
/**
 * The jobs, by name. At least one.
 */
jobs: {
[k: string]: Job
}
}
/**
 * Environment variables for every job (below defaults.env and each job's env).
 */
export interface Env {
[k: string]: (string | number | boolean)
}
/**
 * Environment variables: name → value (a number as written: `VERSION: 1.10` stays `1.10`).
 */
export interface Env1 {
[k: string]: (string | number | boolean)
}
