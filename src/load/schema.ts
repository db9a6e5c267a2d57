// Shape check against schemas/procflow.schema.json, with ajv's errors rewritten in plain words at
// the offending YAML node.
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Source } from "../graph/source.js";
import { readPackageFile } from "../paths.js";
import type { Diagnostic } from "./diagnostic.js";
import { type Locator, type Path, pathText } from "./parse.js";
import { didYouMean } from "./suggest.js";
import { validateSchema } from "./validate-schema.js";

/** The schema as JSON text, for `procflow schema`, and parsed, for the wording of messages. */
export const schemaText = (): string => readPackageFile("schemas/procflow.schema.json");
let parsedSchema: { $defs: Record<string, { description: string; pattern?: string }> } | undefined;
const defs = () => {
  parsedSchema ??= JSON.parse(schemaText());
  return parsedSchema!.$defs;
};

/**
 * Fields whose absence would change how a job's other fields are judged (an expression naming the
 * matrix, a path under the cwd, a need's condition on a daemon…): a job with one of them broken is
 * left out of the semantic rules, which would report what follows from the break as mistakes.
 */
const LOAD_BEARING: ReadonlySet<string> = new Set([
  "command",
  "target",
  "args",
  "shell",
  "cwd",
  "matrix",
  "needs",
  "daemon",
  "ready",
  "inputs",
  "ports",
]);

/**
 * Checks the shape of the whole file. Returns the jobs that have a valid shape, and the value the
 * semantic rules check, or undefined when the file's frame itself (top level, `jobs`) is broken. A
 * job whose only broken fields are ones the others do not lean on (a duration, an unknown field…) is
 * checked by the rules without them: every problem is reported, not only the first (SPEC §9).
 */
export function checkSchema(
  value: unknown,
  source: Source,
  locate: Locator,
  diagnostics: Diagnostic[],
): { shaped: Set<string>; value: unknown } | undefined {
  const validate = validateSchema as ValidateFunction;
  const jobs = value && typeof value === "object" ? (value as { jobs?: unknown }).jobs : undefined;
  const names = jobs && typeof jobs === "object" && !Array.isArray(jobs) ? Object.keys(jobs) : [];
  if (validate(value)) return { shaped: new Set(names), value };
  /** Job → its broken fields (null: the job as a whole). */
  const broken = new Map<string, Set<string> | null>();
  let frameBroken = false;
  for (const e of simplify(validate.errors ?? [])) {
    const { path, message, atKey } = describe(e);
    if (path[0] === "jobs" && path.length >= 2) {
      const job = String(path[1]);
      const field = path.length >= 3 ? String(path[2]) : null;
      // An unknown field close to one the others lean on is likely that one, misspelt (`need:`).
      const bearing =
        field !== null &&
        (LOAD_BEARING.has(field) ||
          (e.keyword === "additionalProperties" && didYouMean(field, LOAD_BEARING) !== ""));
      const fields = broken.get(job);
      if (field === null || bearing) broken.set(job, null);
      else if (fields !== null) broken.set(job, (fields ?? new Set()).add(field));
    } else if (
      (path.length === 0 && !(e.keyword === "required" && e.params.missingProperty === "version")) ||
      ["jobs", "defaults"].includes(String(path[0]))
    )
      // Broken defaults would be read by every job's checks: none of them runs. A missing or wrong
      // `version` breaks nothing the checks read: they still run.
      frameBroken = true;
    diagnostics.push({
      source,
      range: locate(path, { key: atKey }),
      severity: "error",
      code: `schema-${e.keyword}`,
      message: `${pathText(path)}: ${message}`,
    });
  }
  if (frameBroken) return undefined;
  const shaped = new Set(names.filter((n) => !broken.has(n)));
  const repaired = withoutFields(value as { jobs: Record<string, Record<string, unknown>> }, broken);
  if (!repaired) return { shaped, value };
  // Without its broken fields, a job may still miss what it needs (a command): then it stays out.
  const still = validate(repaired)
    ? new Set<string>()
    : new Set((validate.errors ?? []).map((e) => String(pathOf(e.instancePath)[1])));
  for (const [name, fields] of broken) if (fields && !still.has(name)) shaped.add(name);
  return { shaped, value: repaired };
}

/** The file with the broken fields of its jobs left out, or null when no job can be kept so. */
function withoutFields(
  file: { jobs: Record<string, Record<string, unknown>> },
  broken: ReadonlyMap<string, ReadonlySet<string> | null>,
): typeof file | null {
  let jobs: typeof file.jobs | null = null;
  for (const [name, fields] of broken) {
    if (!fields) continue;
    jobs ??= { ...file.jobs };
    const job = { ...file.jobs[name] };
    for (const f of fields) delete job[f];
    jobs[name] = job;
  }
  return jobs && { ...file, jobs };
}

const pathOf = (pointer: string): (string | number)[] =>
  pointer === ""
    ? []
    : pointer
        .slice(1)
        .split("/")
        .map((s) => {
          const p = s.replace(/~1/g, "/").replace(/~0/g, "~");
          return /^\d+$/.test(p) ? Number(p) : p;
        });

const jsonType = (v: unknown) =>
  v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v;

const typeMatches = (branch: { type?: string | string[] } | undefined, data: unknown) => {
  const types = branch?.type === undefined ? [] : ([] as string[]).concat(branch.type);
  const t = jsonType(data);
  return types.length === 0 || types.includes(t) || (t === "integer" && types.includes("number"));
};

/**
 * Keeps one clear error per problem: for a failed anyOf, the errors of the branch whose type fits
 * the data (or only the anyOf when none fits); for a failed "exactly one of" oneOf, only the oneOf;
 * for propertyNames, only the inner error.
 */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  // Each drop is for the value that failed (its instancePath): two jobs share schema paths.
  const drops: { at: string; prefix: string }[] = [];
  for (const e of errors) {
    const at = e.instancePath;
    if (e.keyword === "anyOf") {
      const branches = e.schema as { type?: string | string[] }[];
      const fit = branches.findIndex((b) => typeMatches(b, e.data));
      branches.forEach((_, i) => {
        if (i !== fit) drops.push({ at, prefix: `${e.schemaPath}/${i}/` });
      });
      if (fit !== -1) drops.push({ at, prefix: `${e.schemaPath}\u0000` });
    } else if (e.keyword === "oneOf") {
      drops.push({ at, prefix: `${e.schemaPath}/` });
    }
  }
  const inside = (e: ErrorObject, at: string) => e.instancePath === at || e.instancePath.startsWith(`${at}/`);
  return errors.filter(
    (e) =>
      e.keyword !== "propertyNames" &&
      !drops.some(({ at, prefix: p }) =>
        !inside(e, at)
          ? false
          : p.endsWith("\u0000")
            ? e.schemaPath === p.slice(0, -1)
            : e.schemaPath.startsWith(p),
      ),
  );
}

const quote = (v: unknown) => JSON.stringify(v);
const article = (noun: string) => `${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun}`;
const orList = (items: readonly string[]) =>
  items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;

function durationHint(text: unknown): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(String(text));
  const units: [RegExp, string][] = [
    [/^(ms|msecs?|millis(econds?)?)$/i, "ms"],
    [/^(s|secs?|seconds?)$/i, "s"],
    [/^(m|mins?|minutes?)$/i, "m"],
    [/^(h|hrs?|hours?)$/i, "h"],
  ];
  const unit = m && units.find(([re]) => re.test(m[2]!))?.[1];
  return unit ? `use ${m![1]}${unit}` : "use e.g. 250ms, 30s, 5m or 1h30m";
}

function describe(e: ErrorObject): { path: Path; message: string; atKey?: boolean } {
  const path = pathOf(e.instancePath);
  const parent = e.parentSchema as { description?: string; properties?: Record<string, unknown> } | undefined;
  const data = e.data;
  switch (e.keyword) {
    case "additionalProperties": {
      const name = String(e.params.additionalProperty);
      const known = Object.keys(parent?.properties ?? {});
      return {
        path: [...path, name],
        atKey: true,
        message: `unknown field "${name}"${didYouMean(name, known) || `; known fields: ${known.join(", ")}`}`,
      };
    }
    case "required":
      return { path, atKey: true, message: `missing required field "${e.params.missingProperty}"` };
    case "oneOf": {
      const kinds = (e.schema as { required: string[] }[]).map((b) => b.required[0]!);
      const present = kinds.filter((k) => data && typeof data === "object" && k in data);
      return {
        path,
        atKey: true,
        message:
          present.length > 1
            ? `has ${orList(present.map(quote)).replace(/ or /, " and ")}; keep exactly one`
            : `needs exactly one of ${orList(kinds.map(quote))}`,
      };
    }
    case "anyOf": {
      const types = (e.schema as { type?: string; items?: { type?: string | string[] } }[]).map((b) => {
        const items = ([] as string[]).concat(b.items?.type ?? []).map((t) => `${t}s`);
        return b.type === "array"
          ? `a list${items.length ? ` of ${orList(items)}` : ""}`
          : article(b.type === "object" ? "map" : String(b.type));
      });
      return { path, message: `must be ${orList(types)}, not ${describeValue(data)}` };
    }
    case "pattern": {
      if (parent?.description === defs().duration!.description)
        return { path, message: `${quote(data)} is not a duration (${durationHint(data)})` };
      if (
        parent?.description === defs().jobName!.description ||
        e.params.pattern === defs().jobName!.pattern
      ) {
        const isKey = e.propertyName !== undefined;
        return {
          path: isKey ? [...path, e.propertyName!] : path,
          atKey: isKey,
          message: `${quote(isKey ? e.propertyName : data)} is not a valid job name: use letters, digits, "_", "." or "-", starting with a letter or digit`,
        };
      }
      if (e.propertyName !== undefined)
        return {
          path: [...path, e.propertyName],
          atKey: true,
          message: `${quote(e.propertyName)} is not a valid name`,
        };
      if (String(e.params.pattern).includes("\\$\\{\\{"))
        return {
          path,
          message: `${quote(data)} is not one \${{ }} expression: write a list, or "\${{ … }}" that yields one`,
        };
      return { path, message: `${quote(data)} does not match ${e.params.pattern}` };
    }
    case "enum": {
      const allowed = e.params.allowedValues as string[];
      return {
        path,
        message: `${quote(data)} is not one of ${allowed.join(", ")}${typeof data === "string" ? didYouMean(data, allowed) : ""}`,
      };
    }
    case "const":
      return { path, message: `must be ${quote(e.params.allowedValue)}, not ${quote(data)}` };
    case "type": {
      if (path.length === 0 && data === null)
        return { path, message: "the file is empty: a job file is a map with `version: 1` and `jobs`" };
      const want = ([] as string[])
        .concat(e.params.type as string | string[])
        .map((t) => (t === "object" ? "map" : t === "array" ? "list" : t));
      return { path, message: `must be ${orList(want.map(article))}, not ${describeValue(data)}` };
    }
    case "minimum":
      return { path, message: `must be at least ${e.params.limit}, not ${quote(data)}` };
    case "maximum":
      return { path, message: `must be at most ${e.params.limit}, not ${quote(data)}` };
    case "minItems":
      return { path, message: `must have at least ${e.params.limit} item${e.params.limit === 1 ? "" : "s"}` };
    case "minProperties":
      return {
        path,
        message:
          path.length === 1 && path[0] === "jobs" ? "must declare at least one job" : "must not be empty",
      };
    case "minLength":
      return { path, message: "must not be empty" };
    case "uniqueItems":
      return {
        path: [...path, e.params.j as number],
        message: `${quote((data as unknown[])[e.params.j as number])} is listed twice`,
      };
    default:
      return { path, message: e.message ?? "is invalid" };
  }
}

function describeValue(v: unknown): string {
  if (v === null) return "null (an empty value)";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  return `${typeof v} ${quote(v)}`;
}
