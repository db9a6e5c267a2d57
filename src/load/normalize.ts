// Written form → JobGraph: defaults applied, paths resolved, durations in ms, needs with explicit
// conditions, matrix instances expanded, plan order and priorities computed. No I/O.
import { basename, extname, resolve } from "node:path";
import { criticalPathWeights, topologicalOrder } from "../graph/order.js";
import type { Condition, EnvLayer, Job, JobGraph, Need, Probe, Range, Scalar } from "../graph/types.js";
import type { Source } from "./diagnostic.js";
import { durationMs } from "./duration.js";
import { substitute } from "./expressions.js";
import type { Locator } from "./parse.js";
import { parseTarget } from "./rules/target-module.js";
import { splitWords } from "./words.js";
import type {
  EnvFile,
  HealthProbe,
  ProcflowJobFile as JobFile,
  ReadyProbe,
  Job as WrittenJob,
} from "./written.js";

const DEFAULT_KILL_TIMEOUT_MS = 5000;
const DEFAULT_RESTART_DELAY_MS = 1000;

export function normalize(file: JobFile, path: string, source: Source, locate: Locator): JobGraph {
  const absolute = resolve(path);
  const dir = resolve(absolute, "..");
  const defaults = file.defaults ?? {};
  const written = file.jobs;
  const names = Object.keys(written);
  const needsOf = new Map(names.map((n) => [n, writtenNeeds(written[n]!, written)]));
  const familyNeeds = (n: string) => needsOf.get(n)!.map((need) => need.job);
  const order = topologicalOrder(names, familyNeeds);
  const weights = criticalPathWeights(order, familyNeeds);

  const jobs: Job[] = [];
  const families: Record<string, readonly string[]> = {};
  for (const family of order) {
    const job = written[family]!;
    const fields: Record<string, Range> = {};
    for (const key of Object.keys(job)) fields[key] = locate(["jobs", family, key]);
    const common = {
      family,
      daemon: job.daemon ?? false,
      needs: needsOf.get(family)!,
      restart: job.restart ?? defaults.restart ?? "never",
      maxRestarts: job.max_restarts ?? defaults.max_restarts ?? 3,
      restartDelayMs: ms(job.restart_delay ?? defaults.restart_delay) ?? DEFAULT_RESTART_DELAY_MS,
      timeoutMs: job.daemon ? null : (ms(job.timeout ?? defaults.timeout) ?? null),
      killTimeoutMs: ms(job.kill_timeout ?? defaults.kill_timeout) ?? DEFAULT_KILL_TIMEOUT_MS,
      stopSignal: (job.stop_signal ?? defaults.stop_signal ?? "SIGTERM") as NodeJS.Signals,
      successCodes: job.success_codes ?? defaults.success_codes ?? [0],
      allowFailure: job.allow_failure ?? false,
      description: job.description ?? null,
      weight: weights.get(family)!,
      source: { range: locate(["jobs", family], { key: true }), fields },
    };
    const shellSetting = job.shell ?? (typeof job.command === "string" ? defaults.shell : undefined);
    const shell = shellSetting === true ? "/bin/sh" : typeof shellSetting === "string" ? shellSetting : null;
    const instances: string[] = [];
    for (const matrix of combinations(job.matrix)) {
      const name = matrix
        ? `${family}[${Object.entries(matrix)
            .map(([k, v]) => `${k}=${v}`)
            .join(",")}]`
        : family;
      const sub = (s: string) =>
        substitute(s, (root, key) =>
          root === "matrix" && matrix && Object.hasOwn(matrix, key)
            ? String(matrix[key])
            : root === "job" && key === "name"
              ? name
              : undefined,
        );
      const args = (job.args ?? []).map((a: unknown) => (typeof a === "string" ? sub(a) : a));
      const matrixEnv: Record<string, string> = {};
      for (const [k, v] of Object.entries(matrix ?? {}))
        matrixEnv[`PROCFLOW_MATRIX_${k.toUpperCase()}`] = String(v);
      instances.push(name);
      jobs.push({
        ...common,
        name,
        matrix,
        argv: job.command === undefined ? null : argvOf(job.command, shell, name, args.map(String), sub),
        target:
          job.target === undefined
            ? null
            : { ...parseTarget(job.target), module: resolve(dir, parseTarget(job.target).module), args },
        shell,
        cwd: resolve(dir, sub(job.cwd ?? defaults.cwd ?? ".")),
        env: [
          ...envLayers(dir, file.env_file, file.env, (s) => s),
          ...envLayers(dir, defaults.env_file, defaults.env, sub),
          ...envLayers(dir, job.env_file, job.env, sub),
          ...(matrix ? [{ vars: matrixEnv }] : []),
        ],
        ready: probe(job.ready, "ready", sub),
        health: probe(job.health, "health", sub),
      });
    }
    families[family] = instances;
  }
  return deepFreeze({
    file: absolute,
    name: file.name ?? basename(absolute, extname(absolute)),
    description: file.description ?? null,
    concurrency: file.concurrency ?? null,
    jobs,
    families,
    source,
  });
}

function writtenNeeds(job: WrittenJob, all: Record<string, WrittenJob>): Need[] {
  const needs = job.needs;
  if (!needs) return [];
  const entries: [string, Condition | undefined][] = Array.isArray(needs)
    ? needs.map((n) => [n, undefined])
    : (Object.entries(needs) as [string, Condition][]);
  return entries.map(([name, condition]) => ({
    job: name,
    condition: condition ?? (all[name]?.daemon ? "ready" : "success"),
  }));
}

const ms = (d: string | number | undefined) => (d === undefined ? undefined : durationMs(d));

function argvOf(
  command: string | string[],
  shell: string | null,
  name: string,
  args: string[],
  sub: (s: string) => string,
): string[] {
  if (shell) return [shell, "-c", String(command), name, ...args];
  const words = typeof command === "string" ? splitWords(command) : { ok: true as const, words: command };
  if (!words.ok) throw new Error(`normalize: unsplittable command ${command}`);
  return [...words.words.map(sub), ...args];
}

function envLayers(
  dir: string,
  envFile: EnvFile | undefined,
  env: Record<string, string | number | boolean> | undefined,
  sub: (s: string) => string,
): EnvLayer[] {
  const layers: EnvLayer[] = [];
  for (const f of envFile === undefined ? [] : ([] as string[]).concat(envFile))
    layers.push({ file: resolve(dir, f) });
  if (env) {
    const vars: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) vars[k] = sub(String(v));
    layers.push({ vars });
  }
  return layers;
}

function probe(
  p: ReadyProbe | HealthProbe | undefined,
  kind: "ready" | "health",
  sub: (s: string) => string,
): Probe | null {
  if (!p) return null;
  const intervalMs = ms(p.interval) ?? (kind === "ready" ? 250 : 5000);
  const timeoutMs = ms(p.timeout) ?? (kind === "ready" ? 60_000 : 5000);
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

/** One matrix assignment per instance, keys in the order written, first key varying slowest; [null] without a matrix. */
function combinations(matrix: Record<string, Scalar[]> | undefined): (Record<string, Scalar> | null)[] {
  if (!matrix) return [null];
  let combos: Record<string, Scalar>[] = [{}];
  for (const [key, values] of Object.entries(matrix))
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  return combos;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
