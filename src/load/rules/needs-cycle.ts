// Needs must not form a cycle, across included files too; each cycle is reported once, as its path,
// at a need on it, in the file that declares that need.
import { needsOf, type Rule } from "./rule.js";

export const needsCycle: Rule = (ctx) => {
  const { tree } = ctx;
  if (tree.files[0] !== ctx) return; // one check for the whole tree
  const jobs = [...tree.jobs].map(([name, { job }]) => [name, job] as const);
  const checked = new Set(jobs.map(([name]) => name));
  const edges = new Map<string, [string, readonly (string | number)[]][]>();
  for (const [name, job] of jobs)
    edges.set(
      name,
      needsOf(job, name)
        .filter(([need]) => need !== name && checked.has(need))
        .map(([need, , path]) => [need, path]),
    );
  const state = new Map<string, 1 | 2>(); // 1: on the stack, 2: done
  for (const [root] of jobs) {
    if (state.has(root)) continue;
    // Iterative depth-first search: [job, index of the next edge to follow].
    const stack: [string, number][] = [[root, 0]];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const out = edges.get(top[0])!;
      if (top[1] >= out.length) {
        state.set(top[0], 2);
        stack.pop();
        continue;
      }
      const [next, path] = out[top[1]++]!;
      const s = state.get(next);
      if (s === undefined) {
        state.set(next, 1);
        stack.push([next, 0]);
      } else if (s === 1) {
        const from = stack.findIndex(([n]) => n === next);
        const cycle = [...stack.slice(from).map(([n]) => n), next];
        tree.jobs
          .get(top[0])!
          .ctx.report(
            path,
            "needs-cycle",
            `jobs.${top[0]}.needs: cycle ${cycle.join(" → ")}; remove one of these needs`,
            {
              key: true,
            },
          );
      }
    }
  }
};
