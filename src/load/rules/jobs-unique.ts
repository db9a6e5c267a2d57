// A job name is declared once in the whole tree of included files: a name in two files is an error at both.
import { position } from "../diagnostic.js";
import type { Rule, RuleContext } from "./rule.js";

export const jobsUnique: Rule = (ctx) => {
  const { files } = ctx.tree;
  if (files[0] !== ctx || files.length === 1) return; // one check for the whole tree
  const declared = new Map<string, RuleContext[]>();
  for (const file of files)
    for (const name of Object.keys(file.file.jobs)) {
      const list = declared.get(name);
      if (list) list.push(file);
      else declared.set(name, [file]);
    }
  for (const [name, where] of declared) {
    if (where.length < 2) continue;
    const place = (f: RuleContext) =>
      `${f.source.path}:${position({ source: f.source, range: f.locate(["jobs", name], { key: true }) }).line}`;
    for (const f of where) {
      const others = where.filter((o) => o !== f).map(place);
      f.report(
        ["jobs", name],
        "job-duplicate",
        `jobs.${name}: also declared in ${others.join(", ")}; job names are unique across included files (rename one)`,
        { key: true },
      );
    }
  }
};
