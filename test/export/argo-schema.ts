// What the Kubernetes API server checks a Workflow against: the Workflow CRD's openAPIV3Schema
// (test/fixtures/argo/, from Argo Workflows v4.1.2) with unknown fields refused, as `kubectl`'s strict
// field validation does, and the CEL rules of its `x-kubernetes-validations`, implemented here by
// their exact message. A rule without an implementation fails whatever data reaches it.
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";

type Json = Record<string, unknown>;

const has = (o: unknown, key: string) => typeof o === "object" && o !== null && Object.hasOwn(o, key);
/** The fields that make a template of one type or another. */
export const TEMPLATE_TYPES = [
  "container",
  "script",
  "dag",
  "steps",
  "resource",
  "suspend",
  "containerSet",
  "data",
  "http",
  "plugin",
];
const every = (list: unknown, ok: (t: Json) => boolean) =>
  Array.isArray(list) && list.every((t) => ok(t as Json));

/** The CEL rules a procflow export can reach, by their message. */
const CEL: Record<string, (self: unknown) => boolean> = {
  "cannot use both 'depends' and 'dependencies'": (t) => !has(t, "depends") || !has(t, "dependencies"),
  "cannot use 'continueOn' when using 'depends'": (t) => !has(t, "depends") || !has(t, "continueOn"),
  "task name cannot begin with a digit when using 'depends' or 'dependencies'": (t) =>
    !(has(t, "depends") || has(t, "dependencies")) || !/^[0-9]/.test(String((t as Json).name)),
  "template must have at most one template type": (ts) =>
    every(ts, (t) => TEMPLATE_TYPES.filter((k) => has(t, k)).length <= 1),
  "timeout cannot be applied to steps or dag templates": (ts) =>
    every(ts, (t) => !(has(t, "timeout") && t.timeout !== "" && (has(t, "steps") || has(t, "dag")))),
  "activeDeadlineSeconds is only valid for leaf templates": (ts) =>
    every(ts, (t) => !(has(t, "activeDeadlineSeconds") && (has(t, "steps") || has(t, "dag")))),
};

/** Objects that list their properties take no others (the API server prunes or, strictly, refuses them). */
function closeObjects(node: unknown): void {
  if (typeof node !== "object" || node === null) return;
  const n = node as Json;
  if (
    n.properties &&
    n.additionalProperties === undefined &&
    n["x-kubernetes-preserve-unknown-fields"] !== true
  )
    n.additionalProperties = false;
  for (const v of Object.values(n)) closeObjects(v);
}

/**
 * The part of `node` that applies to `values`: only the properties they hold. The CRD schema takes
 * ajv some 10 s to compile whole; what a Workflow uses of it, a few milliseconds.
 */
function applying(node: Json, values: unknown[]): Json {
  const { properties, items, additionalProperties, ...rest } = node;
  const objects = values.filter((v): v is Json => typeof v === "object" && v !== null && !Array.isArray(v));
  const out: Json = rest;
  if (properties) {
    const props = properties as Record<string, Json>;
    const kept = new Set(objects.flatMap((o) => Object.keys(o)).filter((k) => Object.hasOwn(props, k)));
    out.properties = Object.fromEntries(
      [...kept].map((k) => [
        k,
        applying(
          props[k]!,
          objects.map((o) => o[k]),
        ),
      ]),
    );
  }
  if (items) out.items = applying(items as Json, values.filter(Array.isArray).flat());
  if (additionalProperties !== undefined)
    out.additionalProperties =
      typeof additionalProperties === "object"
        ? applying(
            additionalProperties as Json,
            objects.flatMap((o) => Object.values(o)),
          )
        : additionalProperties;
  return out;
}

const crd = JSON.parse(
  readFileSync(new URL("../fixtures/argo/workflow.v1alpha1.openapi.json", import.meta.url), "utf8"),
) as Json;
closeObjects(crd);

function validator(workflow: unknown) {
  const ajv = new Ajv({
    allErrors: true,
    strictTypes: false,
    formats: {
      int32: { type: "number", validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 },
      int64: { type: "number", validate: (n: number) => Number.isInteger(n) },
      byte: /^[A-Za-z0-9+/]*={0,2}$/,
      "date-time": true,
    },
  });
  for (const keyword of [
    "x-kubernetes-list-type",
    "x-kubernetes-map-type",
    "x-kubernetes-int-or-string",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-preserve-unknown-fields",
  ])
    ajv.addKeyword(keyword);
  ajv.addKeyword({
    keyword: "x-kubernetes-validations",
    schemaType: "array",
    validate: function cel(rules: { rule: string; message: string }[], data: unknown) {
      const failed = rules.filter((r) => !(CEL[r.message]?.(data) ?? false));
      (cel as { errors?: Partial<ErrorObject>[] }).errors = failed.map((r) => ({
        keyword: "x-kubernetes-validations",
        message: CEL[r.message]
          ? r.message
          : `CEL rule not implemented by this test: ${r.message} (${r.rule})`,
        params: {},
      }));
      return failed.length === 0;
    },
  });
  return ajv.compile(applying(crd, [workflow]));
}

/** Every way `workflow` breaks the CRD's schema or its CEL rules: `path: message`. */
export function schemaProblems(workflow: unknown): string[] {
  const validate = validator(workflow);
  if (validate(workflow)) return [];
  return (validate.errors ?? []).map((e) => {
    const extra = e.keyword === "additionalProperties" ? ` (${e.params.additionalProperty})` : "";
    return `${e.instancePath || "/"}: ${e.message}${extra}`;
  });
}
