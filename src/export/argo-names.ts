// Names in an exported Workflow: its generateName, and task (= template) names that Argo accepts and
// that its `depends` expressions can refer to.

/** A DNS-1123 label of at most `max` characters: lower case letters, digits and inner dashes. */
export function dnsName(name: string, max = 63): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/, "");
  return s || "procflow";
}

/**
 * Words of the expression language Argo evaluates `depends` in (after turning `-` into `_`): a task
 * named so could not be referred to.
 */
const EXPRESSION_WORDS = new Set([
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
]);

/**
 * Each job's task and template name: DNS-safe, unique, never one of `reserved`, and usable in
 * `depends` — Argo rejects a task name that begins with a digit there ("task name cannot begin with a
 * digit"), so such a name, like a word of the expression language, gets `job-` in front
 * (`1st_step` → `job-1st-step`).
 */
export function taskNames(families: readonly string[], reserved: readonly string[]): Map<string, string> {
  const used = new Set(reserved);
  const out = new Map<string, string>();
  for (const family of families) {
    let base = dnsName(family);
    if (/^[0-9]/.test(base) || EXPRESSION_WORDS.has(base)) base = dnsName(`job-${base}`);
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base.slice(0, 60)}-${i}`;
    used.add(name);
    out.set(family, name);
  }
  return out;
}
