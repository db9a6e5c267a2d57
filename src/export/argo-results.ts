// Results between jobs in Argo terms (SPEC §14): the result keys that other jobs read become output
// parameters of the producing template (a small sh wrapper splits PROCFLOW_RESULT into one file per
// key), `${{ needs.X.result.K }}` becomes `{{tasks.X.outputs.parameters.K}}`, `if` becomes `when`,
// and a key's `fromJSON(needs.X.result.K)` becomes `withParam`. What else reads results is reported.
import { type Node, namesIn, staticPath } from "../expr/ast.js";
import { parseTemplate, wholeExpression } from "../expr/template.js";
import type { Job } from "../graph/types.js";

const DIR = "/tmp/procflow-results";

/** Runs the job's argv ("$@") with a PROCFLOW_RESULT file, then writes each key to `DIR/<key>`. */
const WRAPPER = `mkdir -p ${DIR}
export PROCFLOW_RESULT=${DIR}.env
: > "$PROCFLOW_RESULT"
"$@"
code=$?
awk -v dir=${DIR} '
d != "" { if ($0 == d) { d = ""; close(f) } else { printf "%s%s", s, $0 > f; s = "\\n" } next }
{ e = index($0, "="); h = index($0, "<<") }
h && (!e || h < e) { f = dir "/" substr($0, 1, h - 1); d = substr($0, h + 2); s = ""; printf "" > f; next }
e { f = dir "/" substr($0, 1, e - 1); printf "%s", substr($0, e + 1) > f; close(f) }
' "$PROCFLOW_RESULT"
exit $code`;

/** Every expression of a job, as parsed trees. */
function expressionsOf(job: Job): Node[] {
  const strings: string[] = [...(job.argv ?? [])];
  for (const layer of job.env) if ("vars" in layer) strings.push(...Object.values(layer.vars));
  if (job.target) strings.push(JSON.stringify(job.target.args));
  const nodes: Node[] = [];
  for (const s of strings) {
    const t = s.includes("${{") ? parseTemplate(s) : null;
    if (t?.ok) for (const p of t.parts) if (typeof p !== "string") nodes.push(p.node);
  }
  const wholes = [
    job.if,
    ...(typeof job.dynamicMatrix === "string" ? [job.dynamicMatrix] : Object.values(job.dynamicMatrix ?? {})),
  ];
  for (const w of wholes) {
    const e = typeof w === "string" ? wholeExpression(w, w === job.if) : null;
    if (e?.ok) nodes.push(e.node);
  }
  return nodes;
}

/** The result keys that jobs read: producing job → keys. */
export function referencedResults(jobs: readonly Job[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const job of jobs)
    for (const node of expressionsOf(job))
      for (const { path } of namesIn(node)) {
        const [root, name, field, key] = path;
        if (root !== "needs" || field !== "result" || key === undefined || !name) continue;
        const keys = out.get(name) ?? new Set();
        keys.add(key);
        out.set(name, keys);
      }
  return out;
}

/** The container's argv (escaped for Kubernetes by `literal`) run so that its result becomes output parameters. */
export function withResultFile(argv: string[], literal: (s: string) => string): string[] {
  return ["/bin/sh", "-c", literal(WRAPPER), "procflow-result", ...argv];
}

export function outputParameters(keys: ReadonlySet<string>) {
  return { parameters: [...keys].map((name) => ({ name, valueFrom: { path: `${DIR}/${name}` } })) };
}

/** Whether a job's results are output parameters of its template (a target's are not). */
export type HasResults = (family: string) => boolean;

/** `needs.X.result.K` as Argo's tag for the output parameter, or null when it has none. */
export function resultTag(
  path: readonly string[],
  task: (family: string) => string,
  hasResults: HasResults,
): string | null {
  const [root, name, field, key] = path;
  if (root !== "needs" || field !== "result" || key === undefined || path.length !== 4 || !name) return null;
  if (!hasResults(name)) return null;
  return `{{tasks.${task(name)}.outputs.parameters.${key}}}`;
}

/**
 * `needs.X.result.K` in a template: an input parameter (`X-K`), recorded in `passed` with the task
 * tag that the DAG task hands it; null when the name is not a result key.
 */
export function passResult(
  path: readonly string[],
  task: (family: string) => string,
  hasResults: HasResults,
  passed: Map<string, string>,
): string | null {
  const tag = resultTag(path, task, hasResults);
  if (!tag) return null;
  const name = `${task(path[1]!)}-${path[3]!}`.replace(/[^A-Za-z0-9_-]/g, "-");
  passed.set(name, tag);
  return `{{inputs.parameters.${name}}}`;
}

export type Mapped = { ok: true; value: string } | { ok: false; why: string };

/**
 * An `if` as Argo's `when` (a govaluate expression over filled-in tags): names of results, `ok`,
 * literals, comparisons, `&&`, `||`, `!` and parentheses map; functions and other names do not.
 */
export function whenOf(text: string, task: (family: string) => string, hasResults: HasResults): Mapped {
  const e = wholeExpression(text, true);
  if (!e?.ok) return { ok: false, why: "it does not parse" };
  try {
    return { ok: true, value: govaluate(e.node, task, hasResults, false) };
  } catch (err) {
    if (err instanceof Unmappable) return { ok: false, why: err.message };
    throw err;
  }
}

class Unmappable extends Error {}

function govaluate(
  node: Node,
  task: (family: string) => string,
  hasResults: HasResults,
  numeric: boolean,
): string {
  switch (node.kind) {
    case "literal":
      return typeof node.value === "string" ? `'${node.value.replace(/'/g, "\\'")}'` : String(node.value);
    case "not":
      return `!(${govaluate(node.operand, task, hasResults, false)})`;
    case "binary": {
      const isNumber = (n: Node) => n.kind === "literal" && typeof n.value === "number";
      const num = isNumber(node.left) || isNumber(node.right);
      const [left, right] = [node.left, node.right].map((n) => govaluate(n, task, hasResults, num));
      return `(${left} ${node.op} ${right})`;
    }
    case "call":
      throw new Unmappable(`${node.fn}() has no Argo equivalent in when`);
    default: {
      const path = staticPath(node) ?? [];
      const [root, name, field] = path;
      if (root === "needs" && name && field === "ok" && path.length === 3)
        return `('{{tasks.${task(name)}.status}}' == 'Succeeded')`;
      const tag = resultTag(path, task, hasResults);
      if (!tag) throw new Unmappable(`${path.join(".") || "a computed name"} has no Argo value in when`);
      return numeric ? tag : `'${tag}'`;
    }
  }
}

/** A dynamic matrix as `withParam`: one key given by `fromJSON(needs.X.result.K)`. */
export function withParamOf(
  job: Job,
  task: (family: string) => string,
  hasResults: HasResults,
): ({ key: string } & Mapped) | { ok: false; why: string } {
  const m = job.dynamicMatrix;
  const entries = m === null || typeof m === "string" ? [] : Object.entries(m);
  const only = entries.length === 1 && typeof entries[0]![1] === "string" ? entries[0]! : null;
  const e = only ? wholeExpression(only[1] as string, false) : null;
  const arg = e?.ok && e.node.kind === "call" && e.node.fn === "fromJSON" ? e.node.args[0] : undefined;
  const tag = arg ? resultTag(staticPath(arg) ?? [], task, hasResults) : null;
  if (!only || !tag)
    return { ok: false, why: "only one key given by fromJSON(needs.JOB.result.KEY) maps to withParam" };
  return { ok: true, key: only[0], value: tag };
}
