// Needs must not form a cycle, across included files too; each cycle is reported once, as its path,
// at a need on it, in the file that declares that need.
import { needPath, needsOf, type Rule } from "./rule.js";

export const needsCycle: Rule = (ctx) => {
  const { tree } = ctx;
  if (tree.files[0] !== ctx) return; // one check for the whole tree
  // The needs a cycle can go through: of other jobs whose shape is right.
  const edges = (name: string) =>
    needsOf(tree.jobs.get(name)!.job).filter(([need]) => need !== name && tree.jobs.has(need));
  const state = new Map<string, 1 | 2>(); // 1: on the stack, 2: done
  for (const root of tree.jobs.keys()) {
    if (state.has(root)) continue;
    // Iterative depth-first search: a job, the needs it goes on to, the index of the next one.
    const stack = [{ name: root, needs: edges(root), next: 0 }];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next >= top.needs.length) {
        state.set(top.name, 2);
        stack.pop();
        continue;
      }
      const [next, , at] = top.needs[top.next++]!;
      const s = state.get(next);
      if (s === undefined) {
        state.set(next, 1);
        stack.push({ name: next, needs: edges(next), next: 0 });
      } else if (s === 1) {
        const from = stack.findIndex((e) => e.name === next);
        const cycle = [...stack.slice(from).map((e) => e.name), next];
        tree.jobs
          .get(top.name)!
          .ctx.report(
            needPath(top.name, at),
            "needs-cycle",
            `jobs.${top.name}.needs: cycle ${cycle.join(" → ")}; remove one of these needs`,
            {
              key: true,
            },
          );
      }
    }
  }
};
