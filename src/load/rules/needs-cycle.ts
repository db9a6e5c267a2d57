// Needs must not form a cycle; each cycle is reported once, as its path, at a need on it.
import { needsOf, type Rule } from "./rule.js";

export const needsCycle: Rule = (ctx) => {
  const checked = new Set(ctx.jobs.map(([name]) => name));
  const edges = new Map<string, [string, readonly (string | number)[]][]>();
  for (const [name, job] of ctx.jobs)
    edges.set(
      name,
      needsOf(job, name)
        .filter(([need]) => need !== name && checked.has(need))
        .map(([need, , path]) => [need, path]),
    );
  const state = new Map<string, 1 | 2>(); // 1: on the stack, 2: done
  for (const [root] of ctx.jobs) {
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
        ctx.report(
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
