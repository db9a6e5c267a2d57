// "Did you mean": the banded edit distance agrees with the textbook one, suggestions are the closest
// name (the first listed on a tie), and the work spent on many names is bounded.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { distance, suggester } from "../../src/load/suggest.js";

/** Optimal string alignment distance over the full matrix: the reference. */
function reference(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

// A small alphabet makes near misses (and swaps) common.
const word = fc.string({ unit: fc.constantFrom("a", "b", "c", "A"), maxLength: 10 });

describe("suggestions", () => {
  it("computes the distance of the full matrix, or max + 1 once it is over max", () => {
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 5 }), (a, b, max) => {
        const d = reference(a, b);
        expect(distance(a, b)).toBe(d);
        expect(distance(a, b, max)).toBe(Math.min(d, max + 1));
      }),
      { numRuns: 5000 },
    );
  });

  it("suggests the closest candidate within a third of the name, the first listed on a tie", () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), word, (candidates, name) => {
        const max = Math.min(3, Math.floor((name.length + 1) / 3));
        const scored = candidates.map((c) => reference(name.toLowerCase(), c.toLowerCase()));
        const best = Math.min(max + 1, ...scored);
        const expected = best > max ? "" : ` (did you mean "${candidates[scored.indexOf(best)]}"?)`;
        expect(suggester(candidates)(name)).toBe(expected);
      }),
      { numRuns: 5000 },
    );
    expect(suggester(["build", "test"])("biuld")).toBe(' (did you mean "build"?)');
  });

  it("stops suggesting once its budget of work is spent", () => {
    const jobs = Array.from({ length: 1000 }, (_, i) => `job${i}`);
    const ask = suggester(jobs, 200_000);
    const said = Array.from({ length: 1000 }, (_, i) => ask(`jbo${i}`));
    expect(said[0]).toBe(' (did you mean "job0"?)');
    expect(said.at(-1)).toBe("");
    // Unbounded, every one of them would have had its suggestion.
    expect(suggester(jobs)("jbo999")).toBe(' (did you mean "job999"?)');
  });
});
