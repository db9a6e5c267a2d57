// `${{ }}` expressions (and `if`, and dynamic matrices) must parse, and name what the job can see:
// env.X, matrix.K of its own matrix, job.name, run.id, and needs.<job> of a job it needs with a
// success, failure or always condition (`results`, not `result`, for a matrix job).
import type { Node } from "../../expr/ast.js";
import { namesIn } from "../../expr/ast.js";
import { parseTemplate, wholeExpression } from "../../expr/template.js";
import { type Path, pathText } from "../parse.js";
import type { Job as WrittenJob } from "../written.js";
import { portRefProblem } from "./port-refs.js";
import type { Rule, RuleContext } from "./rule.js";

/** What a job's expressions may name, and where. */
interface Scope {
  /** Keys of the job's matrix; null: any (a whole-matrix expression). */
  readonly matrixKeys: readonly string[] | null;
  /** Needed job → condition, when the expression may read needs (start-time fields). */
  readonly needs: ReadonlyMap<string, string> | null;
  readonly matrixJobs: ReadonlySet<string>;
  /** Why `needs` cannot be read here. */
  readonly noNeeds?: string;
  /** What is wrong with a port reference `jobs.<job>.ports.<name>` (SPEC §16), or null. */
  readonly portRef?: (name: string) => string | null;
}

/** A job's scope, built when one of its values holds an expression (most hold none). */
type ScopeOf = () => Scope;

/** The fields of a job whose expressions see the job's whole scope. */
const SCOPED_FIELDS = ["command", "args", "env", "ready", "health"] as const;

const ROOTS = "env.NAME, matrix.KEY, job.name, run.id, needs.JOB or jobs.JOB.ports.NAME";

function problem(path: string[], scope: Scope): string | null {
  const [root, name, field] = path;
  switch (root) {
    case "env":
      return name === undefined ? "name a variable, e.g. env.HOME" : null;
    case "matrix": {
      const keys = scope.matrixKeys;
      if (keys === null || (name !== undefined && keys.includes(name))) return null;
      return keys.length === 0
        ? "this job has no matrix"
        : `this job's matrix has ${keys.map((k) => `"${k}"`).join(", ")}`;
    }
    case "job":
      return name === "name" && path.length === 2 ? null : "the job root has only job.name";
    case "run":
      return name === "id" && path.length === 2 ? null : "the run root has only run.id";
    case "needs": {
      if (!scope.needs) return scope.noNeeds ?? "needs cannot be read here";
      if (name === undefined) return null;
      const condition = scope.needs.get(name);
      if (condition === undefined)
        return `${name} is not in this job's needs; add it (needs: { ${name}: success })`;
      if (condition !== "success" && condition !== "failure" && condition !== "always")
        return `this job needs ${name}: ${condition}, so ${name} may not have ended; need it with success, failure or always`;
      if (field === "result" && scope.matrixJobs.has(name))
        return `${name} is a matrix job: use needs.${name}.results (instance name → result)`;
      if (field !== undefined && !["result", "results", "state", "ok"].includes(field))
        return `needs.${name} has result, results, state and ok`;
      return null;
    }
    case "jobs":
      return scope.portRef ? scope.portRef(path.slice(1).join(".")) : "ports cannot be read here";
    default:
      return `use ${ROOTS}`;
  }
}

function checkNode(ctx: RuleContext, node: Node, path: Path, offset: number, scope: ScopeOf, shown: string) {
  for (const n of namesIn(node)) {
    const why = problem(n.path, scope());
    if (why)
      ctx.report(
        path,
        "expression-unknown",
        `${pathText(path)}: unknown name ${n.path.join(".")} in ${shown}: ${why}`,
        {
          offset: offset + n.at,
        },
      );
  }
}

/**
 * Whether a value holds an expression: a string with "${{", or a list or map with one inside. Looked
 * at before a value's path is built (most values, say a command list, hold none).
 */
function holdsExpression(v: unknown): boolean {
  if (typeof v === "string") return v.includes("${{");
  if (Array.isArray(v)) return v.some(holdsExpression);
  return v !== null && typeof v === "object" && Object.values(v).some(holdsExpression);
}

function checkValue(ctx: RuleContext, value: unknown, path: Path, scope: ScopeOf) {
  if (typeof value === "string") {
    if (!value.includes("${{")) return;
    const t = parseTemplate(value);
    if (!t.ok) {
      ctx.report(path, "expression-syntax", `${pathText(path)}: ${t.message}`, { offset: t.at });
      return;
    }
    for (const p of t.parts) {
      if (typeof p === "string") continue;
      const inner = p.text.slice(3, -2);
      const lead = inner.length - inner.trimStart().length;
      checkNode(ctx, p.node, path, p.at + 3 + lead, scope, p.text);
    }
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++)
      if (holdsExpression(value[i])) checkValue(ctx, value[i], [...path, i], scope);
  } else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value))
      if (holdsExpression(v)) checkValue(ctx, v, [...path, k], scope);
}

/** A value that must be one expression (`if`, a dynamic matrix). */
function checkWhole(ctx: RuleContext, value: string, path: Path, bare: boolean, scope: ScopeOf) {
  const w = wholeExpression(value, bare);
  if (w === null || !w.ok) {
    const message = w ? w.message : "write one ${{ }} expression spanning the whole value";
    ctx.report(path, "expression-syntax", `${pathText(path)}: ${message}`, { offset: w?.at ?? 0 });
    return;
  }
  const at =
    bare && !value.trim().startsWith("${{")
      ? value.indexOf(w.text)
      : value.indexOf(w.text, value.indexOf("${{") + 3);
  checkNode(ctx, w.node, path, at, scope, value.trim());
}

export const expressions: Rule = (ctx) => {
  const matrixJobs = new Set(ctx.jobs.filter((j) => j.job.matrix !== undefined).map((j) => j.name));
  for (const { name, job, needs } of ctx.jobs) {
    let built: Scope | undefined;
    const scope = (): Scope =>
      (built ??= {
        matrixKeys: typeof job.matrix === "string" ? null : Object.keys(job.matrix ?? {}),
        needs: new Map(needs.map((n) => [n.name, n.condition ?? defaultCondition(ctx, n.name)])),
        matrixJobs,
        portRef: (n) => portRefProblem(ctx, n, name),
      });
    for (const field of SCOPED_FIELDS)
      if (holdsExpression(job[field])) checkValue(ctx, job[field], ["jobs", name, field], scope);
    if (holdsExpression(job.cwd))
      checkValue(ctx, job.cwd, ["jobs", name, "cwd"], () => ({
        ...scope(),
        needs: null,
        noNeeds: "cwd is resolved when the file loads",
      }));
    if (holdsExpression(job.watch))
      checkValue(ctx, job.watch, ["jobs", name, "watch"], () => ({
        ...scope(),
        needs: null,
        noNeeds: "watch patterns are fixed when the run starts",
      }));
    if (typeof job.if === "string") checkWhole(ctx, job.if, ["jobs", name, "if"], true, scope);
    if (job.matrix !== undefined)
      checkMatrix(ctx, job, name, () => ({ ...scope(), matrixKeys: [], noNeeds: undefined }));
  }
  const fileWide: ScopeOf = () => ({
    matrixKeys: [],
    needs: null,
    matrixJobs,
    noNeeds: "only a job's own fields can read needs",
    portRef: (n) => portRefProblem(ctx, n, null),
  });
  if (ctx.file.env) checkValue(ctx, ctx.file.env, ["env"], fileWide);
  if (ctx.file.defaults?.env) checkValue(ctx, ctx.file.defaults.env, ["defaults", "env"], fileWide);
  if (ctx.file.defaults?.cwd) checkValue(ctx, ctx.file.defaults.cwd, ["defaults", "cwd"], fileWide);
};

function checkMatrix(ctx: RuleContext, job: WrittenJob, name: string, scope: ScopeOf) {
  const matrix = job.matrix;
  if (typeof matrix === "string") checkWhole(ctx, matrix, ["jobs", name, "matrix"], false, scope);
  else
    for (const [key, values] of Object.entries(matrix ?? {}))
      if (typeof values === "string") checkWhole(ctx, values, ["jobs", name, "matrix", key], false, scope);
}

const defaultCondition = (ctx: RuleContext, need: string) =>
  ctx.file.jobs[need]?.daemon ? "ready" : "success";
