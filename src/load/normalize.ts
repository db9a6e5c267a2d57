// Written form (a tree of included files) → JobGraph: defaults applied, paths resolved, durations in ms, needs with explicit
// conditions, matrix instances expanded, plan order and priorities computed. No I/O.
import { basename, extname, resolve } from "node:path";
import { type Node, namesIn } from "../expr/ast.js";
import { expand, hasExpression } from "../expr/template.js";
import { instanceName, matrixEnv } from "../graph/instance.js";
import { criticalPathWeights, topologicalOrder } from "../graph/order.js";
import type { Condition, EnvLayer, Job, JobGraph, Need, Probe, Scalar, Watch } from "../graph/types.js";
import { durationMs } from "./duration.js";
import { writtenNumber, writtenValues } from "./matrix-values.js";
import type { Path } from "./parse.js";
import { parseTarget } from "./target.js";
import type { Unit } from "./tree.js";
import { splitWords } from "./words.js";
import type {
  EnvFile,
  HealthProbe,
  ReadyProbe,
  Job as WrittenJob,
  Watch as WrittenWatch,
} from "./written.js";

export const DEFAULT_KILL_TIMEOUT_MS = 5000;
export const DEFAULT_READY_TIMEOUT_MS = 60_000;
const DEFAULT_RESTART_DELAY_MS = 1000;
const DEFAULT_DEBOUNCE_MS = 200;

export interface NormalizeOptions {
  /**
   * One instance per matrix job, with this placeholder for each matrix key instead of its values
   * (for exports whose engine expands the matrix itself, e.g. `{{inputs.parameters.KEY}}`).
   */
  readonly matrixPlaceholder?: (key: string) => string;
}

export function normalize(units: readonly Unit[], opts: NormalizeOptions = {}): JobGraph {
  const top = units[0]!;
  const file = top.value;
  // Each job with the file that declares it (SPEC §15: its folder, env and defaults apply to it),
  // numbered in written order (names are unique across the files: the rules said so).
  const declared: { name: string; job: WrittenJob; unit: Unit }[] = [];
  const numbers = new Map<string, number>();
  for (const unit of units)
    for (const name of Object.keys(unit.value.jobs)) {
      numbers.set(name, declared.length);
      declared.push({ name, job: unit.value.jobs[name]!, unit });
    }
  const isDaemon = (name: string) => declared[numbers.get(name)!]!.job.daemon === true;
  const allNeeds = declared.map((d) => writtenNeeds(d.job, isDaemon));
  const needNumbers = allNeeds.map((ns) => (ns.length === 0 ? NONE : ns.map((n) => numbers.get(n.job)!)));
  const order = topologicalOrder(needNumbers);
  const weights = criticalPathWeights(order, needNumbers);

  // Layers that do not depend on the instance are built once per file: the top file's env, then the
  // declaring file's env and defaults.
  const topLayers = envLayers(top.dir, file.env_file, file.env, (s) => s, top, ["env"]);
  // Each file's jobs are located in one pass over its `jobs` map, and its default durations read once.
  const perFile = new Map(
    units.map((u) => {
      const own = u === top ? [] : envLayers(u.dir, u.value.env_file, u.value.env, (s) => s, u, ["env"]);
      const env = u.value.defaults?.env;
      const defaults = JSON.stringify(env ?? {}).includes("${{")
        ? null
        : envLayers(u.dir, u.value.defaults?.env_file, env, (s) => s, u, ["defaults", "env"]);
      const d = u.value.defaults;
      return [
        u,
        {
          own: [...topLayers, ...own],
          defaults,
          located: u.fields(["jobs"]),
          restartDelayMs: ms(d?.restart_delay),
          timeoutMs: ms(d?.timeout),
          killTimeoutMs: ms(d?.kill_timeout),
        },
      ] as const;
    }),
  );
  const jobs: Job[] = [];
  const families: Record<string, readonly string[]> = {};
  for (const i of order) {
    const { name: family, job, unit } = declared[i]!;
    const { dir } = unit;
    const defaults = unit.value.defaults ?? {};
    const layers = perFile.get(unit)!;
    const located = layers.located.get(family)!;
    const needs = Object.freeze(allNeeds[i]!);
    const source = Object.freeze({
      file: unit.source,
      range: located.key,
      fields: Object.freeze(located.fields),
    });
    const ports = job.ports ? Object.freeze(job.ports) : NONE;
    const restart = job.restart ?? defaults.restart ?? "never";
    const maxRestarts = job.max_restarts ?? defaults.max_restarts ?? 3;
    const restartDelayMs = msOr(job.restart_delay, layers.restartDelayMs) ?? DEFAULT_RESTART_DELAY_MS;
    const timeoutMs = job.daemon ? null : (msOr(job.timeout, layers.timeoutMs) ?? null);
    const killTimeoutMs = msOr(job.kill_timeout, layers.killTimeoutMs) ?? DEFAULT_KILL_TIMEOUT_MS;
    const stopSignal = (job.stop_signal ?? defaults.stop_signal ?? "SIGTERM") as NodeJS.Signals;
    const successCodes = Object.freeze(job.success_codes ?? defaults.success_codes ?? SUCCESS);
    const shellSetting = job.shell ?? (typeof job.command === "string" ? defaults.shell : undefined);
    const shell = shellSetting === true ? "/bin/sh" : typeof shellSetting === "string" ? shellSetting : null;
    const cwd = job.cwd ?? defaults.cwd;
    const instances: string[] = [];
    const dynamicMatrix = isDynamic(job.matrix) ? writtenDynamic(job.matrix, family, unit) : null;
    for (const matrix of dynamicMatrix
      ? [placeholders(dynamicMatrix)]
      : combinations(staticMatrix(job.matrix as StaticMatrix, family, unit), opts.matrixPlaceholder)) {
      const name = matrix ? instanceName(family, matrix) : family;
      // matrix.* and job.name are known now (a dynamic matrix's only when it is built: at start).
      const sub = (s: string) => {
        if (dynamicMatrix || !hasExpression(s)) return s;
        const r = expand(s, { matrix: matrix ?? {}, job: { name } }, isStatic);
        return r.ok ? r.value : s;
      };
      const args = (job.args ?? []).map((a: unknown) => (typeof a === "string" ? sub(a) : a));
      instances.push(name);
      const target = job.target === undefined ? null : parseTarget(job.target);
      // Built field by field (an object spread per job costs more than the rest of this loop).
      const normalized: Job = {
        name,
        family,
        file: unit.file,
        matrix: matrix && Object.freeze(matrix),
        dynamicMatrix,
        if: job.if === undefined ? null : String(job.if),
        argv:
          job.command === undefined
            ? null
            : Object.freeze(
                argvOf(
                  job.command,
                  shell,
                  name,
                  args.map((a: unknown, i: number) =>
                    typeof a === "number"
                      ? writtenNumber(a, ["jobs", family, "args", i], unit.locate, unit.source.text)
                      : String(a),
                  ),
                  sub,
                ),
              ),
        target:
          target &&
          Object.freeze({
            module: resolve(dir, target.module),
            export: target.export,
            args: Object.freeze(args),
          }),
        shell,
        cwd: cwd === undefined ? dir : resolve(dir, sub(cwd)),
        // concat, not a spread: no iterator per layer list.
        env: Object.freeze(
          layers.own.concat(
            layers.defaults ??
              envLayers(dir, defaults.env_file, defaults.env, sub, unit, ["defaults", "env"]),
            envLayers(dir, job.env_file, job.env, sub, unit, ["jobs", family, "env"]),
            matrix ? [{ vars: matrixEnv(matrix) }] : NONE,
          ),
        ),
        needs,
        daemon: job.daemon ?? false,
        ready: probe(job.ready, "ready", sub),
        health: probe(job.health, "health", sub),
        restart,
        maxRestarts,
        restartDelayMs,
        timeoutMs,
        killTimeoutMs,
        stopSignal,
        successCodes,
        allowFailure: job.allow_failure ?? false,
        description: job.description ?? null,
        cache: cacheSpec(job, sub),
        watch: watchOf(job.watch, sub),
        weight: weights[i]!,
        ports,
        source,
      };
      jobs.push(Object.freeze(normalized));
    }
    families[family] = Object.freeze(instances);
  }
  return Object.freeze({
    file: top.file,
    name: file.name ?? basename(top.file, extname(top.file)),
    description: file.description ?? null,
    concurrency: file.concurrency ?? null,
    jobs: Object.freeze(jobs),
    families: Object.freeze(families),
    source: Object.freeze(top.source),
  });
}

/** Shared by every job without needs, or ports, and by every instance without a matrix. */
const NONE: readonly never[] = Object.freeze([]);
const NO_MATRIX: readonly null[] = Object.freeze([null]);
const SUCCESS: readonly number[] = Object.freeze([0]);

function writtenNeeds(job: WrittenJob, isDaemon: (name: string) => boolean): readonly Need[] {
  const needs = job.needs;
  if (!needs) return NONE;
  const need = (name: string, condition: Condition | undefined): Need => ({
    job: name,
    condition: condition ?? (isDaemon(name) ? "ready" : "success"),
  });
  if (Array.isArray(needs)) return needs.map((name) => need(name, undefined));
  return Object.keys(needs).map((name) => need(name, needs[name]));
}

function cacheSpec(job: WrittenJob, sub: (s: string) => string): Job["cache"] {
  if (!job.inputs) return null;
  return Object.freeze({
    inputs: Object.freeze(job.inputs.map(sub)),
    outputs: Object.freeze((job.outputs ?? []).map(sub)),
    inputsEnv: Object.freeze([...(job.inputs_env ?? [])]),
  });
}

const ms = (d: string | number | undefined) => (d === undefined ? undefined : durationMs(d));

/** A job's own duration, else its file's default (read once per file). */
const msOr = (own: string | number | undefined, fileDefault: number | undefined) =>
  own === undefined ? fileDefault : durationMs(own);

function argvOf(
  command: string | string[],
  shell: string | null,
  name: string,
  args: string[],
  sub: (s: string) => string,
): string[] {
  // The shell's $0 is the job's name (its error messages name the job); args are $1, $2, …
  if (shell) return [shell, "-c", String(command), name, ...args];
  const words = typeof command === "string" ? splitWords(command) : { ok: true as const, words: command };
  if (!words.ok) throw new Error(`normalize: unsplittable command ${command}`);
  const argv = words.words.map(sub);
  for (const a of args) argv.push(a); // no spread: no iterator per job
  return argv;
}

/** `at`: where `env` is written in `unit` (its numbers are passed as written). */
function envLayers(
  dir: string,
  envFile: EnvFile | undefined,
  env: Record<string, string | number | boolean> | undefined,
  sub: (s: string) => string,
  unit: Unit,
  at: Path,
): readonly EnvLayer[] {
  if (envFile === undefined && env === undefined) return NONE; // most jobs
  const layers: EnvLayer[] = [];
  for (const f of envFile === undefined ? [] : ([] as string[]).concat(envFile))
    layers.push({ file: resolve(dir, f) });
  if (env) {
    const vars: Record<string, string> = {};
    for (const [k, v] of Object.entries(env))
      vars[k] =
        typeof v === "number" ? writtenNumber(v, [...at, k], unit.locate, unit.source.text) : sub(String(v));
    layers.push({ vars });
  }
  return layers;
}

function probe(
  p: ReadyProbe | HealthProbe | undefined,
  kind: "ready" | "health",
  sub: (s: string) => string,
): Probe | null {
  const normalized = probeOf(p, kind, sub);
  return normalized && Object.freeze({ ...normalized, check: Object.freeze(normalized.check) });
}

function probeOf(
  p: ReadyProbe | HealthProbe | undefined,
  kind: "ready" | "health",
  sub: (s: string) => string,
): Probe | null {
  if (!p) return null;
  const intervalMs = ms(p.interval) ?? (kind === "ready" ? 250 : 5000);
  const timeoutMs = ms(p.timeout) ?? (kind === "ready" ? DEFAULT_READY_TIMEOUT_MS : 5000);
  const retries = "retries" in p && typeof p.retries === "number" ? p.retries : 3;
  const base = { intervalMs, timeoutMs, retries };
  if (p.log !== undefined) return { ...base, check: { kind: "log", pattern: sub(p.log) } };
  if (p.tcp !== undefined) {
    const t = sub(String(p.tcp));
    const colon = t.lastIndexOf(":");
    const host = colon === -1 ? "127.0.0.1" : t.slice(0, colon).replace(/^\[|\]$/g, "");
    return { ...base, check: { kind: "tcp", host, port: colon === -1 ? t : t.slice(colon + 1) } };
  }
  if (p.http !== undefined) return { ...base, check: { kind: "http", url: sub(p.http) } };
  if (p.command !== undefined) {
    const split =
      typeof p.command === "string" ? splitWords(p.command) : { ok: true as const, words: p.command };
    return {
      ...base,
      check: { kind: "command", argv: split.ok ? split.words.map(sub) : [String(p.command)] },
    };
  }
  const delay = "delay" in p ? p.delay : undefined;
  return { ...base, check: { kind: "delay", ms: ms(delay as string | number) ?? 0 } };
}

function watchOf(w: WrittenWatch | undefined, sub: (s: string) => string): Watch | null {
  if (w === undefined) return null;
  const form = Array.isArray(w) ? { paths: w } : w;
  return Object.freeze({
    paths: Object.freeze(form.paths.map(sub)),
    ignore: Object.freeze((form.ignore ?? []).map(sub)),
    debounceMs: ms(form.debounce) ?? DEFAULT_DEBOUNCE_MS,
    cascade: form.cascade ?? true,
  });
}

type StaticMatrix = Record<string, Scalar[]> | undefined;
type WrittenMatrix = WrittenJob["matrix"];

/** A matrix (or one of its keys) given by an expression, built at run time. */
const isDynamic = (m: WrittenMatrix): m is Exclude<WrittenMatrix, undefined> =>
  typeof m === "string" || (m !== undefined && Object.values(m).some((v) => typeof v === "string"));

/** The placeholder instance of a dynamic matrix: `…` for each key (the whole matrix: no key). */
const placeholders = (m: Exclude<WrittenMatrix, undefined>): Record<string, Scalar> =>
  typeof m === "string" ? {} : Object.fromEntries(Object.keys(m).map((k) => [k, "…"]));

/** An expression that names only matrix.* and job.name (known when the file loads). */
function isStatic(node: Node): boolean {
  return namesIn(node).every((n) => n.path[0] === "matrix" || (n.path[0] === "job" && n.path[1] === "name"));
}

/** A matrix built at run time, its lists written in the file with their numbers as written. */
function writtenDynamic(
  matrix: Exclude<WrittenMatrix, undefined>,
  family: string,
  unit: Unit,
): Exclude<WrittenMatrix, undefined> {
  if (typeof matrix === "string") return matrix;
  const out: Record<string, string | [Scalar, ...Scalar[]]> = {};
  for (const [key, values] of Object.entries(matrix))
    out[key] =
      typeof values === "string"
        ? values
        : (writtenValues(values, ["jobs", family, "matrix", key], unit.locate, unit.source.text) as [
            Scalar,
            ...Scalar[],
          ]);
  return out;
}

/** A static matrix with its numbers as written (matrix-values.ts). */
function staticMatrix(matrix: StaticMatrix, family: string, unit: Unit): StaticMatrix {
  if (!matrix) return matrix;
  const out: Record<string, Scalar[]> = {};
  for (const [key, values] of Object.entries(matrix))
    out[key] = writtenValues(values, ["jobs", family, "matrix", key], unit.locate, unit.source.text);
  return out;
}

/** One matrix assignment per instance, keys in the order written, first key varying slowest; [null] without a matrix. */
function combinations(
  matrix: Record<string, Scalar[]> | undefined,
  placeholder: ((key: string) => string) | undefined,
): readonly (Record<string, Scalar> | null)[] {
  if (!matrix) return NO_MATRIX;
  if (placeholder) return [Object.fromEntries(Object.keys(matrix).map((k) => [k, placeholder(k)]))];
  let combos: Record<string, Scalar>[] = [{}];
  for (const [key, values] of Object.entries(matrix))
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  return combos;
}
