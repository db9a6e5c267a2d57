// What happens to a job whose needs are met (SPEC §14), decided from its expressions and the values
// they see: it starts, its `if` is false (a skip that never fails the run), an expression cannot be
// evaluated (it fails without starting), or its dynamic matrix becomes instances. Pure.

import type { SkipCause, Unstamped } from "../events.js";
import type { Value } from "../expr/ast.js";
import { evaluate, type Scope, truthy } from "../expr/evaluate.js";
import { wholeExpression } from "../expr/template.js";
import { bareInstance, dynamicInstance, repeatedValue, sharedName } from "../graph/instance.js";
import type { Job, Scalar } from "../graph/types.js";

export const MAX_DYNAMIC_INSTANCES = 10_000;

/** What becomes of a job whose needs are met. */
export type Release =
  | { readonly to: "start" }
  | { readonly to: "skip"; readonly cause: SkipCause }
  /** It ends without starting (as `as`, a dynamic matrix's bare name, when given). */
  | { readonly to: "end"; readonly state: "succeeded" | "failed"; readonly as?: Job; readonly error?: string }
  /** A dynamic matrix's placeholder becomes these instances. */
  | { readonly to: "grow"; readonly jobs: readonly Job[] };

/** The events that say what a release did beyond a skip: a matrix built, a job ended without starting. */
export function releaseEvents(job: Job, r: Release): Unstamped[] {
  const out: Unstamped[] = [];
  if (r.to === "grow" || (r.to === "end" && r.as)) {
    const instances = r.to === "grow" ? r.jobs.map((j) => j.name) : [];
    out.push({ type: "job:matrix", job: job.family, placeholder: job.name, instances });
  }
  if (r.to === "end")
    out.push({
      type: "job:exit",
      job: r.as?.name ?? job.name,
      pid: null,
      attempt: 1,
      exitCode: null,
      signal: null,
      durationMs: 0,
      state: r.state,
      ...(r.error ? { error: r.error } : {}),
      ...(job.target ? {} : { result: null }),
    });
  return out;
}

export function decide(job: Job, scope: Scope): Release {
  if (job.dynamicMatrix !== null) return fanOut(job, job.dynamicMatrix, scope);
  if (job.if === null) return { to: "start" };
  const expression = wholeExpression(job.if, true);
  const text = expression?.ok ? expression.text : job.if.trim();
  const v = value(job.if, true, scope);
  if (!v.ok) return { to: "end", state: "failed", error: `if: ${text}: ${v.error}` };
  return truthy(v.value) ? { to: "start" } : { to: "skip", cause: { cause: "if", expression: text } };
}

type Got<T> = { ok: true; value: T } | { ok: false; error: string };

function value(text: string, bare: boolean, scope: Scope): Got<Value> {
  const w = wholeExpression(text, bare);
  if (w === null || !w.ok) return { ok: false, error: "not one expression" }; // the loader reported it
  return evaluate(w.node, scope);
}

function fanOut(job: Job, matrix: NonNullable<Job["dynamicMatrix"]>, scope: Scope): Release {
  const lists = listsOf(matrix, scope);
  if (!lists.ok)
    return { to: "end", state: "failed", as: bareInstance(job), error: `matrix: ${lists.error}` };
  const count = lists.value.reduce((n, [, values]) => n * values.length, 1);
  if (count > MAX_DYNAMIC_INSTANCES)
    return {
      to: "end",
      state: "failed",
      as: bareInstance(job),
      error: `matrix: ${count.toLocaleString("en-US")} instances, more than ${MAX_DYNAMIC_INSTANCES.toLocaleString("en-US")}`,
    };
  if (count === 0) return { to: "end", state: "succeeded", as: bareInstance(job) };
  for (const [key, values] of lists.value) {
    const twice = repeatedValue(values);
    if (twice !== null)
      return {
        to: "end",
        state: "failed",
        as: bareInstance(job),
        error: `matrix: ${key} lists ${twice} twice, which would name two instances alike; list each value once`,
      };
  }
  const shared = sharedName(job.family, lists.value);
  if (shared !== null)
    return {
      to: "end",
      state: "failed",
      as: bareInstance(job),
      error: `matrix: two instances would both be named ${shared} (a value holds "," and "=")`,
    };
  let combos: Record<string, Scalar>[] = [{}];
  for (const [key, values] of lists.value)
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  return { to: "grow", jobs: combos.map((c) => dynamicInstance(job, c)) };
}

/** Each key with its list of values, in the order written. */
function listsOf(
  matrix: NonNullable<Job["dynamicMatrix"]>,
  scope: Scope,
): Got<[string, readonly Scalar[]][]> {
  if (typeof matrix === "string") {
    const v = value(matrix, false, scope);
    if (!v.ok) return { ok: false, error: `${matrix.trim()}: ${v.error}` };
    const map = v.value;
    if (map === null || typeof map !== "object" || Array.isArray(map))
      return { ok: false, error: `${matrix.trim()} gave ${shown(map)}, not a map of lists` };
    const out: [string, readonly Scalar[]][] = [];
    for (const [key, list] of Object.entries(map)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
        return { ok: false, error: `${matrix.trim()}: "${key}" is no matrix key` };
      const checked = scalars(list, `${matrix.trim()}, key ${key},`);
      if (!checked.ok) return checked;
      out.push([key, checked.value]);
    }
    return { ok: true, value: out };
  }
  const out: [string, readonly Scalar[]][] = [];
  for (const [key, written] of Object.entries(matrix)) {
    if (typeof written !== "string") {
      out.push([key, written]);
      continue;
    }
    const v = value(written, false, scope);
    if (!v.ok) return { ok: false, error: `${written.trim()}: ${v.error}` };
    const checked = scalars(v.value, written.trim());
    if (!checked.ok) return checked;
    out.push([key, checked.value]);
  }
  return { ok: true, value: out };
}

function scalars(v: Value, what: string): Got<readonly Scalar[]> {
  const isScalar = (x: Value) => typeof x === "string" || typeof x === "number" || typeof x === "boolean";
  if (Array.isArray(v) && v.every(isScalar)) return { ok: true, value: v as Scalar[] };
  return { ok: false, error: `${what} gave ${shown(v)}, not a list of strings, numbers or booleans` };
}

const shown = (v: Value) => {
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};
