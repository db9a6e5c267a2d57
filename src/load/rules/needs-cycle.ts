// Needs must not form a cycle, across included files too; each cycle is reported once, as its path,
// at a need on it, in the file that declares that need.
import { needPath, type Rule, type WrittenNeed } from "./rule.js";

export const needsCycle: Rule = (ctx) => {
  const { tree } = ctx;
  if (tree.files[0] !== ctx) return; // one check for the whole tree
  const state = new Map<string, 1 | 2>(); // 1: on the path, 2: done
  // Iterative depth-first search: the jobs on the path from the root, each with its needs and the
  // index of the next one (parallel arrays: no object per job visited).
  const path: string[] = [];
  const needsOnPath: (readonly WrittenNeed[])[] = [];
  const nexts: number[] = [];
  const enter = (name: string) => {
    state.set(name, 1);
    path.push(name);
    needsOnPath.push(tree.jobs.get(name)!.needs);
    nexts.push(0);
  };
  for (const root of tree.jobs.keys()) {
    if (state.has(root)) continue;
    enter(root);
    while (path.length > 0) {
      const top = path.length - 1;
      const name = path[top]!;
      const needs = needsOnPath[top]!;
      if (nexts[top]! >= needs.length) {
        state.set(name, 2);
        path.pop();
        needsOnPath.pop();
        nexts.pop();
        continue;
      }
      const { name: next, at } = needs[nexts[top]!++]!;
      // A cycle goes only through needs of other jobs whose shape is right.
      if (next === name || !tree.jobs.has(next)) continue;
      const s = state.get(next);
      if (s === undefined) enter(next);
      else if (s === 1) {
        const cycle = [...path.slice(path.indexOf(next)), next];
        tree.jobs
          .get(name)!
          .ctx.report(
            needPath(name, at),
            "needs-cycle",
            `jobs.${name}.needs: cycle ${cycle.join(" → ")}; remove one of these needs`,
            {
              key: true,
            },
          );
      }
    }
  }
};
