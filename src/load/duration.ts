// Durations as written ("250ms", "1m30s", 2) → milliseconds, and milliseconds → words.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest a timer can wait (Node fires a longer one after 1 ms): about 24.8 days. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** One part of a duration: a number and its unit. Global, for exec's lastIndex (matchAll would copy it per call). */
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h)/g;

export function durationMs(value: string | number): number {
  if (typeof value === "number") return Math.round(value * 1000);
  let total = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(value); m; m = PART.exec(value)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(total);
}

/** A duration typed on the command line (`30s`, `1m30s`, or seconds); undefined when it is not one (or too long). */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  const ms = /^\d+(\.\d+)?$/.test(t)
    ? durationMs(Number(t))
    : /^(\d+(\.\d+)?\s*(ms|s|m|h)\s*)+$/.test(t)
      ? durationMs(t)
      : undefined;
  return ms !== undefined && ms <= MAX_DURATION_MS ? ms : undefined;
}

/** Milliseconds → a short duration in words: 250ms, 1.5s, 2m5s. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m}m${s}s` : `${m}m`;
}
