// Values as a job's container receives them. Kubernetes expands `$(NAME)` in command, args and env
// values and turns `$$` into `$`; Argo fills in `{{…}}` everywhere. procflow's start-time expressions
// (`${{ env.NAME }}`, `${{ run.id }}`) are mapped onto both, and literal text is escaped for them.

import { namesIn, staticPath } from "../expr/ast.js";
import { findExpressions, substitute } from "../load/expressions.js";

/** Argo's id of the running Workflow: what `${{ run.id }}` and PROCFLOW_RUN_ID become. */
export const RUN_ID = "{{workflow.uid}}";

/** What `${{ env.NAME }}` stands for in one job's container. */
export interface EnvScope {
  /** Variables the Workflow sets in the container (the file's env, PROCFLOW_*), as Kubernetes writes them. */
  readonly declared: Readonly<Record<string, string>>;
  /** Told of a variable the Workflow does not set: the container gets `$(NAME)` for Kubernetes to fill. */
  readonly unset: (name: string) => void;
  /** Argo's tag for another name (a result, a dynamic matrix key), or null. */
  readonly tag?: (path: readonly string[]) => string | null;
  /** Told of an expression that reads a result in a way Argo cannot fill in. */
  readonly unmapped?: (text: string) => void;
}

/** Literal text for command, args or an env value: each `$` is written `$$`, which Kubernetes turns back into `$`. */
export const k8sLiteral = (text: string) => text.replace(/\$/g, () => "$$");

/**
 * A command, args or env value with its expressions mapped: a variable the Workflow sets is filled in
 * now (as procflow would fill it), any other becomes `$(NAME)`, `${{ run.id }}` becomes Argo's id.
 */
export function containerValue(value: string, scope: EnvScope): string {
  let out = "";
  let at = 0;
  for (const e of findExpressions(value)) {
    const path = staticPath(e.node);
    const [root, ...rest] = path ?? [];
    const tag = path && scope.tag?.(path);
    if (!tag && namesIn(e.node).some((n) => n.path[0] === "needs")) scope.unmapped?.(e.text);
    out += k8sLiteral(value.slice(at, e.index)) + (tag || mapped(e.text, root ?? "", rest.join("."), scope));
    at = e.index + e.text.length;
  }
  return out + k8sLiteral(value.slice(at));
}

function mapped(whole: string, root: string, name: string, scope: EnvScope): string {
  if (root === "env") {
    if (Object.hasOwn(scope.declared, name)) return scope.declared[name]!;
    scope.unset(name);
    return `$(${name})`;
  }
  return root === "run" && name === "id" ? RUN_ID : k8sLiteral(whole);
}

/**
 * A probe's value: Kubernetes expands nothing in probes, so a variable takes the value the Workflow
 * sets for it; the ones it does not set are added to `missing` (and left as written).
 */
export function probeValue(
  value: string,
  declared: Readonly<Record<string, string>>,
  missing: string[],
): string {
  return substitute(value, (root, name) => {
    if (root === "env" && Object.hasOwn(declared, name)) return declared[name];
    if (root === "run" && name === "id") return RUN_ID;
    missing.push(`\${{ ${root}.${name} }}`);
    return undefined;
  });
}

/** `{{…}}` that Argo fills in itself: an expression (`{{=…}}`) or one of its variables. */
const ARGO_TAG =
  /\{\{\s*(?:=|(?:item|steps|inputs|outputs|pod|workflow|tasks|node|retries|lastRetry)\b)[^}]*\}\}/g;

/** The Argo tags written in `text`, leaving out the `own` ones (the export's matrix parameters). */
export function argoTags(text: string, own: ReadonlySet<string>): string[] {
  return [...text.matchAll(ARGO_TAG)].map((m) => m[0]).filter((tag) => !own.has(tag));
}
