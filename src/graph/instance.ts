// Matrix instances: how one is named (SPEC §5), and one made from a dynamic matrix's placeholder.
import type { Job, Scalar } from "./types.js";

/** `job[key=value,…]`, keys in the order written; a whole-matrix placeholder is `job[…]`. */
export function instanceName(family: string, matrix: Readonly<Record<string, Scalar>>): string {
  const keys = Object.entries(matrix);
  return `${family}[${keys.length === 0 ? "…" : keys.map(([k, v]) => `${k}=${v}`).join(",")}]`;
}

/** The first value a matrix key's list holds twice, as an instance name shows it (1 and "1" alike), or null. */
export function repeatedValue(values: readonly Scalar[]): string | null {
  const seen = new Set<string>();
  for (const v of values) {
    const shown = String(v);
    if (seen.has(shown)) return shown;
    seen.add(shown);
  }
  return null;
}

/**
 * A name two combinations of different values would share (`a: ["x,b=y", x]` with `b: [z, "y,b=z"]`:
 * both `m[a=x,b=y,b=z]`), or null. Only a value holding "," can make one; then the names are compared.
 */
export function sharedName(
  family: string,
  lists: readonly (readonly [string, readonly Scalar[]])[],
): string | null {
  if (lists.length < 2 || !lists.some(([, values]) => values.some((v) => String(v).includes(","))))
    return null;
  let combos: Record<string, Scalar>[] = [{}];
  for (const [key, values] of lists) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  const seen = new Set<string>();
  for (const c of combos) {
    const name = instanceName(family, c);
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
}

/** The variables a matrix instance gets: PROCFLOW_MATRIX_<KEY>. */
export function matrixEnv(matrix: Readonly<Record<string, Scalar>>): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(matrix)) vars[`PROCFLOW_MATRIX_${k.toUpperCase()}`] = String(v);
  return vars;
}

/**
 * One instance of a dynamic matrix, from its placeholder (whose last env layer is the matrix's). Its
 * expressions stay as written: they are evaluated when it starts, with these values.
 */
export function dynamicInstance(placeholder: Job, matrix: Readonly<Record<string, Scalar>>): Job {
  return Object.freeze({
    ...placeholder,
    name: instanceName(placeholder.family, matrix),
    matrix: Object.freeze({ ...matrix }),
    dynamicMatrix: null,
    env: Object.freeze([...placeholder.env.slice(0, -1), { vars: matrixEnv(matrix) }]),
  });
}

/** The job under its bare name, when its dynamic matrix became no instance (an empty list, or a bad value). */
export function bareInstance(placeholder: Job): Job {
  return Object.freeze({ ...placeholder, name: placeholder.family, matrix: null, dynamicMatrix: null });
}
