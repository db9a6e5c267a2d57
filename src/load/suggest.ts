// "Did you mean …?" for misspelt names.

/**
 * Edit distance counting a swap of two neighbours as one edit (optimal string alignment), bounded:
 * returns `max + 1` as soon as the distance exceeds `max`.
 */
export function distance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, before[j - 2]! + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    before = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest candidate within about a third of the name's length (at most 3 edits). */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const max = Math.min(3, Math.floor((name.length + 1) / 3));
  let best: string | undefined;
  let bestDistance = max + 1;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase(), bestDistance - 1);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export const didYouMean = (name: string, candidates: Iterable<string>): string => {
  const best = closest(name, candidates);
  return best === undefined ? "" : ` (did you mean "${best}"?)`;
};
