// Pure graph algorithms on job names: topological order and critical-path weights.

/**
 * Kahn's algorithm, stable: among jobs whose needs are placed, the one written first goes first.
 * `needs` maps every job to the jobs it needs; all of them must be keys, and there is no cycle.
 */
export function topologicalOrder(
  names: readonly string[],
  needs: (name: string) => readonly string[],
): string[] {
  const position = new Map(names.map((n, i) => [n, i]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const name of names) {
    const ns = new Set(needs(name));
    waiting.set(name, ns.size);
    for (const n of ns) {
      const list = dependents.get(n);
      if (list) list.push(name);
      else dependents.set(n, [name]);
    }
  }
  // A min-heap on written position keeps the order stable at O(n log n).
  const heap: number[] = [];
  const push = (i: number) => {
    heap.push(i);
    for (let c = heap.length - 1; c > 0; ) {
      const p = (c - 1) >> 1;
      if (heap[p]! <= heap[c]!) break;
      [heap[p], heap[c]] = [heap[c]!, heap[p]!];
      c = p;
    }
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let p = 0; ; ) {
        const l = 2 * p + 1;
        const r = l + 1;
        let m = p;
        if (l < heap.length && heap[l]! < heap[m]!) m = l;
        if (r < heap.length && heap[r]! < heap[m]!) m = r;
        if (m === p) break;
        [heap[p], heap[m]] = [heap[m]!, heap[p]!];
        p = m;
      }
    }
    return top;
  };
  names.forEach((n, i) => {
    if (waiting.get(n) === 0) push(i);
  });
  const order: string[] = [];
  while (heap.length > 0) {
    const name = names[pop()]!;
    order.push(name);
    for (const d of dependents.get(name) ?? []) {
      const left = waiting.get(d)! - 1;
      waiting.set(d, left);
      if (left === 0) push(position.get(d)!);
    }
  }
  if (order.length !== names.length) throw new Error("topologicalOrder: the graph has a cycle");
  return order;
}

/**
 * For each job, the number of jobs on the longest chain of dependents that starts with it
 * (itself included), given a topological order.
 */
export function criticalPathWeights(
  order: readonly string[],
  needs: (name: string) => readonly string[],
): Map<string, number> {
  const weight = new Map<string, number>(order.map((n) => [n, 1]));
  for (let i = order.length - 1; i >= 0; i--) {
    const name = order[i]!;
    const w = weight.get(name)! + 1;
    for (const n of needs(name)) if (weight.get(n)! < w) weight.set(n, w);
  }
  return weight;
}
