// What Argo's own validator (workflow/validate/validate.go) checks when a Workflow is submitted, on
// top of the CRD schema, for the parts a procflow export writes: names, template references,
// `depends` (its names, its expression, cycles, no `continueOn` beside it), parameters and `{{…}}`
// variables. Messages follow Argo's.
import { TEMPLATE_TYPES } from "./argo-schema.js";

type Json = Record<string, unknown>;
interface Param {
  name: string;
  value?: unknown;
  default?: unknown;
}
interface Task {
  name: string;
  template?: string;
  depends?: string;
  dependencies?: string[];
  continueOn?: unknown;
  withItems?: unknown[];
  withParam?: string;
  withSequence?: unknown;
  arguments?: { parameters?: Param[] };
}
interface Template {
  name: string;
  inputs?: { parameters?: Param[] };
  outputs?: { parameters?: Param[] };
  dag?: { tasks?: Task[] };
  container?: { image?: string };
  daemon?: boolean;
  parallelism?: number;
  activeDeadlineSeconds?: unknown;
}

const FIELD_NAME = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;
const FIELD_NAME_ERROR =
  "name must consist of alpha-numeric characters or '-', and must start with an alpha-numeric character (e.g. My-name1-2, 123-NAME)";
const PARAM_NAME = /^[-a-zA-Z0-9_]+$/;
/** Only tags with these prefixes must resolve (common.GlobalVarValidWorkflowVariablePrefix). */
const CHECKED_PREFIXES = ["item.", "steps.", "inputs.", "outputs.", "pod.", "workflow.", "tasks."];
const GLOBALS = [
  "name",
  "namespace",
  "mainEntrypoint",
  "serviceAccountName",
  "uid",
  "status",
  "annotations",
  "annotations.json",
  "labels",
  "labels.json",
].map((g) => `workflow.${g}`);
const RESULTS = [
  "Succeeded",
  "Failed",
  "Errored",
  "Skipped",
  "Omitted",
  "Daemoned",
  "AnySucceeded",
  "AllFailed",
];
/** Words of the expression language `depends` is evaluated in (after `-` becomes `_`). */
const EXPRESSION_WORDS = [
  "and",
  "contains",
  "else",
  "false",
  "if",
  "in",
  "let",
  "matches",
  "nil",
  "not",
  "or",
  "true",
];

/** The `{{tag}}`s in a JSON text that Argo would require to resolve and that `scope` lacks. */
function unresolved(json: string, scope: Set<string>): string[] {
  return [...json.matchAll(/\{\{([^{}]*)\}\}/g)]
    .map((m) => m[1]!.trim())
    .filter((tag) => CHECKED_PREFIXES.some((p) => tag.startsWith(p)) && !scope.has(tag));
}

/** Names unique and valid (validateWorkflowFieldNames); parameters take `_` as well. */
function fieldNames(prefix: string, items: { name?: string }[], params = false): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  items.forEach(({ name = "" }, i) => {
    if (!name) problems.push(`${prefix}[${i}].name is required`);
    else if (params ? !PARAM_NAME.test(name) : !FIELD_NAME.test(name) || name.length > 128)
      problems.push(
        `${prefix}[${i}].name: '${name}' is invalid: ${params ? "Parameter/Artifact name must consist of alpha-numeric characters, '_' or '-' e.g. my_param_1, MY-PARAM-1" : FIELD_NAME_ERROR}`,
      );
    else if (seen.has(name)) problems.push(`${prefix}[${i}].name '${name}' is not unique`);
    seen.add(name);
  });
  return problems;
}

/** A parsed `depends`: operands `task` or `task.Result`, `!`, `&&`, `||` and parentheses. */
export type Depends =
  | { readonly op: "term"; readonly task: string; readonly result: string | null }
  | { readonly op: "not"; readonly arg: Depends }
  | { readonly op: "and" | "or"; readonly args: readonly Depends[] };

/** `depends` parsed as Argo evaluates it, or why Argo could not evaluate it. */
export function parseDepends(depends: string): Depends | string {
  const tokens = depends.match(/\(|\)|&&|\|\||!|[^\s()!&|]+|\S/g) ?? [];
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`depends '${depends}': ${why}`);
  };
  const operand = (): Depends => {
    const t = tokens[at++];
    if (t === "!") return { op: "not", arg: operand() };
    if (t === "(") {
      const inner = disjunction();
      if (tokens[at++] !== ")") fail("unbalanced parentheses");
      return inner;
    }
    const m =
      /^([a-zA-Z0-9][-a-zA-Z0-9]*)(?:\.([A-Za-z]+))?$/.exec(t ?? "") ?? fail(`unexpected ${t ?? "end"}`);
    if (m[2] && !RESULTS.includes(m[2])) fail(`unknown task result .${m[2]}`);
    if (/^[0-9]/.test(m[1]!) || EXPRESSION_WORDS.includes(m[1]!.replace(/-/g, "_")))
      fail(`${m[1]} cannot be a task name in an expression`);
    return { op: "term", task: m[1]!, result: m[2] ?? null };
  };
  const list = (op: "and" | "or", sep: string, next: () => Depends): Depends => {
    const args = [next()];
    while (tokens[at] === sep) {
      at++;
      args.push(next());
    }
    return args.length === 1 ? args[0]! : { op, args };
  };
  const disjunction = (): Depends => list("or", "||", () => list("and", "&&", operand));
  try {
    const parsed = disjunction();
    if (at < tokens.length) fail(`unexpected ${tokens[at]}`);
    return parsed;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The tasks a parsed `depends` refers to. */
export function dependsNames(d: Depends): string[] {
  return d.op === "term" ? [d.task] : d.op === "not" ? dependsNames(d.arg) : d.args.flatMap(dependsNames);
}

/** Every problem Argo's validator finds in `workflow`, in its words. */
export function validatorProblems(workflow: Json): string[] {
  const spec = (workflow.spec ?? {}) as { entrypoint?: string; templates?: Template[] };
  const templates = spec.templates ?? [];
  const byName = new Map(templates.map((t) => [t.name, t]));
  const problems = fieldNames("spec.templates", templates);
  if (!spec.entrypoint) problems.push("spec.entrypoint is required");
  else if (!byName.has(spec.entrypoint)) problems.push(`template name '${spec.entrypoint}' undefined`);

  for (const t of templates) {
    const types = TEMPLATE_TYPES.filter((k) => Object.hasOwn(t, k));
    if (types.length !== 1)
      problems.push(
        `templates.${t.name} ${types.length ? "multiple template types specified" : "template type unspecified"}`,
      );
    const inputs = t.inputs?.parameters ?? [];
    problems.push(...fieldNames(`templates.${t.name}.inputs.parameters`, inputs, true));
    if (t.dag) {
      problems.push(...dagProblems(t, byName));
      continue;
    }
    const scope = new Set([
      ...GLOBALS,
      "pod.name",
      "inputs.parameters",
      ...inputs.map((p) => `inputs.parameters.${p.name}`),
    ]);
    for (const tag of unresolved(JSON.stringify(t), scope))
      problems.push(`templates.${t.name}: failed to resolve {{${tag}}}`);
    if (t.container && !t.container.image)
      problems.push(`templates.${t.name}.container.image may not be empty`);
    if (t.parallelism !== undefined)
      problems.push(`templates.${t.name}.parallelism is only valid for steps and dag templates`);
    const deadline = t.activeDeadlineSeconds;
    if (
      deadline !== undefined &&
      !(Number.isInteger(deadline) && (deadline as number) > 0) &&
      !/^\{\{.*\}\}$/.test(String(deadline))
    )
      problems.push(
        `templates.${t.name}.activeDeadlineSeconds must be a positive integer > 0 or an argo variable`,
      );
  }
  return problems;
}

function dagProblems(dag: Template, byName: Map<string, Template>): string[] {
  const at = `templates.${dag.name}`;
  const tasks = dag.dag!.tasks ?? [];
  if (tasks.length === 0) return [`${at} must have at least one task`];
  const problems = fieldNames(`${at}.tasks`, tasks);
  const usingDepends = tasks.some((t) => t.depends);
  const taskByName = new Map(tasks.map((t) => [t.name, t]));
  const deps = new Map<string, string[]>();
  for (const task of tasks) {
    const here = `${at}.tasks.${task.name}`;
    if ((usingDepends || task.dependencies?.length) && /^[0-9]/.test(task.name))
      problems.push(`${here} name cannot begin with a digit when using either 'depends' or 'dependencies'`);
    if (usingDepends && task.dependencies?.length)
      problems.push(`${at} cannot use both 'depends' and 'dependencies' in the same DAG template`);
    if (usingDepends && task.continueOn !== undefined)
      problems.push(
        `${at} cannot use 'continueOn' when using 'depends'. Instead use 'dep-task.Failed'/'dep-task.Errored'`,
      );
    const parsed = task.depends ? parseDepends(task.depends) : null;
    const names =
      typeof parsed === "string" ? parsed : parsed ? dependsNames(parsed) : (task.dependencies ?? []);
    if (typeof names === "string") problems.push(`${here} ${names}`);
    else {
      deps.set(task.name, [...new Set(names)]);
      for (const n of names) if (!taskByName.has(n)) problems.push(`${here} dependency '${n}' not defined`);
    }
    const template = byName.get(task.template ?? "");
    if (!template) problems.push(`${here} template name '${task.template}' undefined`);
    if ([task.withItems?.length, task.withParam, task.withSequence].filter(Boolean).length > 1)
      problems.push(`${here} only one of withItems, withParam, withSequence can be specified`);
    const given = new Map((task.arguments?.parameters ?? []).map((p) => [p.name, p]));
    for (const p of task.arguments?.parameters ?? [])
      if (p.value === undefined)
        problems.push(
          `${here}.arguments.${p.name}.value or ${here}.arguments.${p.name}.valueFrom is required`,
        );
    for (const p of template?.inputs?.parameters ?? [])
      if (p.value === undefined && p.default === undefined && !given.has(p.name))
        problems.push(`${here} inputs.parameters.${p.name} was not supplied`);
  }
  const cycle = findCycle(deps);
  if (cycle) return [...problems, `${at}.tasks dependency cycle detected: ${cycle.join("->")}`];
  for (const task of tasks) {
    // A task sees its ancestors' results, and its items.
    const scope = new Set(GLOBALS);
    for (const a of ancestors(task.name, deps)) {
      for (const field of ["id", "startedAt", "finishedAt", "hostNodeName", "status"])
        scope.add(`tasks.${a}.${field}`);
      const template = byName.get(taskByName.get(a)?.template ?? "");
      if (template?.daemon) scope.add(`tasks.${a}.ip`);
      for (const o of template?.outputs?.parameters ?? [])
        scope.add(`tasks.${a}.outputs.parameters.${o.name}`);
    }
    if (task.withParam !== undefined) scope.add("item");
    for (const item of task.withItems ?? [])
      if (typeof item === "object" && item !== null)
        for (const k of Object.keys(item)) scope.add(`item.${k}`);
    for (const tag of unresolved(JSON.stringify(task), scope))
      problems.push(`${at}.tasks.${task.name} failed to resolve {{${tag}}}`);
  }
  return problems;
}

function ancestors(name: string, deps: Map<string, string[]>, out = new Set<string>()): Set<string> {
  for (const d of deps.get(name) ?? []) if (!out.has(d)) ancestors(d, deps, out.add(d));
  return out;
}

function findCycle(deps: Map<string, string[]>): string[] | null {
  const state = new Map<string, "visiting" | "done">();
  const visit = (n: string, path: string[]): string[] | null => {
    if (state.get(n) === "done") return null;
    if (state.get(n) === "visiting") return [...path.slice(path.indexOf(n)), n];
    state.set(n, "visiting");
    for (const d of deps.get(n) ?? []) {
      const found = visit(d, [...path, n]);
      if (found) return found;
    }
    state.set(n, "done");
    return null;
  };
  for (const n of deps.keys()) {
    const found = visit(n, []);
    if (found) return found;
  }
  return null;
}
