// Pure graph algorithms on jobs numbered 0…n-1 (their written order): topological order and
// critical-path weights. Numbers rather than names: a big file's graph is walked without a lookup
// by name.

/**
 * Kahn's algorithm, stable: among jobs whose needs are placed, the one written first goes first.
 * `needs[i]` lists the jobs that job i needs (a job listed twice counts once); there is no cycle.
 */
export function topologicalOrder(needs: readonly (readonly number[])[]): number[] {
  const n = needs.length;
  const waiting = new Int32Array(n);
  const dependents: (number[] | undefined)[] = new Array(n);
  for (let job = 0; job < n; job++) {
    const ns = needs[job]!;
    for (let k = 0; k < ns.length; k++) {
      const need = ns[k]!;
      if (ns.indexOf(need) !== k) continue; // listed twice
      waiting[job]!++;
      const list = dependents[need];
      if (list) list.push(job);
      else dependents[need] = [job];
    }
  }
  // A min-heap on written position keeps the order stable at O(n log n).
  const heap: number[] = [];
  const push = (i: number) => {
    heap.push(i);
    for (let c = heap.length - 1; c > 0; ) {
      const p = (c - 1) >> 1;
      if (heap[p]! <= heap[c]!) break;
      swap(heap, p, c);
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
        swap(heap, p, m);
        p = m;
      }
    }
    return top;
  };
  for (let i = 0; i < n; i++) if (waiting[i] === 0) push(i);
  const order: number[] = [];
  while (heap.length > 0) {
    const job = pop();
    order.push(job);
    for (const d of dependents[job] ?? []) if (--waiting[d]! === 0) push(d);
  }
  if (order.length !== n) throw new Error("topologicalOrder: the graph has a cycle");
  return order;
}

/**
 * For each job, the number of jobs on the longest chain of dependents that starts with it
 * (itself included), given a topological order.
 */
export function criticalPathWeights(
  order: readonly number[],
  needs: readonly (readonly number[])[],
): number[] {
  const weight = new Array<number>(needs.length).fill(1);
  for (let i = order.length - 1; i >= 0; i--) {
    const job = order[i]!;
    const w = weight[job]! + 1;
    for (const n of needs[job]!) if (weight[n]! < w) weight[n] = w;
  }
  return weight;
}

/** Swaps two items of an array (a destructuring swap allocates an array each time). */
function swap(a: number[], i: number, j: number) {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
