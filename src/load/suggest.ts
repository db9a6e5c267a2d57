// "Did you mean …?" for misspelt names, at a cost that stays linear in the number of names asked about.

/**
 * Edit distance counting a swap of two neighbours as one edit (optimal string alignment), bounded:
 * returns `max + 1` as soon as the distance exceeds `max`. Only cells within `max` of the diagonal
 * are computed (the others are over `max` anyway), so the cost is about `a.length × (2·max + 1)`.
 */
export function distance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const over = Math.min(max + 1, a.length + b.length + 1);
  const band = Math.min(max, Math.max(a.length, b.length));
  // Three rows (two back for swaps), rotated; cells outside the band hold `over`.
  let before = new Array<number>(b.length + 1).fill(over);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => (j <= band ? j : over));
  let cur = new Array<number>(b.length + 1).fill(over);
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - band);
    const to = Math.min(b.length, i + band);
    cur[from - 1] = from === 1 && i <= band ? i : over;
    if (to < b.length) cur[to + 1] = over;
    let rowMin = cur[from - 1]!;
    for (let j = from; j <= to; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, before[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [before, prev, cur] = [prev, cur, before];
  }
  return Math.min(prev[b.length]!, max + 1);
}

/** Work (distance cells) one suggester may spend before it stops suggesting. */
const BUDGET = 20_000_000;

/**
 * Suggests the closest of `candidates` within about a third of a name's length (at most 3 edits),
 * as ` (did you mean "x"?)` or "". Candidates are indexed by length, so a name is compared only with
 * those that can be close; when a file asks about thousands of names among thousands of jobs, the
 * names asked about once the budget is spent get no suggestion (the file has bigger problems).
 */
export function suggester(candidates: Iterable<string>, budget = BUDGET): (name: string) => string {
  const byLength = new Map<number, { lower: string; name: string; index: number }[]>();
  let index = 0;
  for (const name of candidates) {
    const lower = name.toLowerCase();
    const list = byLength.get(lower.length);
    const entry = { lower, name, index: index++ };
    if (list) list.push(entry);
    else byLength.set(lower.length, [entry]);
  }
  const asked = new Map<string, string>();
  let spent = 0;
  return (name) => {
    const known = asked.get(name);
    if (known !== undefined) return known;
    const lower = name.toLowerCase();
    const max = Math.min(3, Math.floor((name.length + 1) / 3));
    let best: { name: string; index: number } | undefined;
    let bestDistance = max + 1;
    for (let length = lower.length - max; length <= lower.length + max && spent <= budget; length++)
      for (const c of byLength.get(length) ?? []) {
        if (spent > budget) break;
        // Ties go to the candidate listed first.
        const limit = best && c.index < best.index ? bestDistance : bestDistance - 1;
        spent += (lower.length + 1) * (2 * max + 1);
        const d = distance(lower, c.lower, limit);
        if (d <= limit) {
          best = c;
          bestDistance = d;
        }
      }
    const said = best === undefined ? "" : ` (did you mean "${best.name}"?)`;
    asked.set(name, said);
    return said;
  };
}

/** One suggestion among a few candidates (for many names, make one `suggester` and ask it each). */
export const didYouMean = (name: string, candidates: Iterable<string>): string => suggester(candidates)(name);
