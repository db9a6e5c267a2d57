// ANSI escape sequences of an output line → text segments with their colours and weights (SGR);
// every other escape sequence (cursor moves, titles) is dropped.

export interface Style {
  color?: string;
  background?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export interface Segment {
  readonly text: string;
  readonly style: Style | null;
}

const BASIC = ["#2e3436", "#cc0000", "#4e9a06", "#c4a000", "#3465a4", "#75507b", "#06989a", "#d3d7cf"];
const BRIGHT = ["#555753", "#ef2929", "#8ae234", "#fce94f", "#729fcf", "#ad7fa8", "#34e2e2", "#eeeeec"];
// CSI … final byte, OSC … BEL/ST, or a lone two-byte escape.
const ESCAPE = /\x1b(?:\[([0-9;:?]*)([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

/** The 256-colour palette entry `n`. */
function color256(n: number): string | undefined {
  if (n < 8) return BASIC[n];
  if (n < 16) return BRIGHT[n - 8];
  if (n < 232) {
    const v = (x: number) => (x === 0 ? 0 : 55 + x * 40);
    const i = n - 16;
    return `rgb(${v(Math.floor(i / 36))},${v(Math.floor(i / 6) % 6)},${v(i % 6)})`;
  }
  if (n < 256) {
    const g = 8 + (n - 232) * 10;
    return `rgb(${g},${g},${g})`;
  }
  return undefined;
}

/** Applies one SGR parameter list to a style. */
function sgr(params: number[], style: Style): Style {
  const s = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (p === 0) for (const k of Object.keys(s)) delete s[k as keyof Style];
    else if (p === 1) s.bold = true;
    else if (p === 2) s.dim = true;
    else if (p === 3) s.italic = true;
    else if (p === 4) s.underline = true;
    else if (p === 7) s.inverse = true;
    else if (p === 22) s.bold = s.dim = undefined;
    else if (p === 23) s.italic = undefined;
    else if (p === 24) s.underline = undefined;
    else if (p === 27) s.inverse = undefined;
    else if (p >= 30 && p <= 37) s.color = BASIC[p - 30];
    else if (p === 39) s.color = undefined;
    else if (p >= 40 && p <= 47) s.background = BASIC[p - 40];
    else if (p === 49) s.background = undefined;
    else if (p >= 90 && p <= 97) s.color = BRIGHT[p - 90];
    else if (p >= 100 && p <= 107) s.background = BRIGHT[p - 100];
    else if (p === 38 || p === 48) {
      const key = p === 38 ? "color" : "background";
      if (params[i + 1] === 5) {
        s[key] = color256(params[i + 2] ?? -1);
        i += 2;
      } else if (params[i + 1] === 2) {
        s[key] = `rgb(${params[i + 2] ?? 0},${params[i + 3] ?? 0},${params[i + 4] ?? 0})`;
        i += 4;
      }
    }
  }
  return s;
}

const plain = (s: Style) => Object.values(s).every((v) => v === undefined);

/** The segments of one line (every line starts unstyled). */
export function parseAnsi(line: string): Segment[] {
  if (!line.includes("\x1b")) return [{ text: line, style: null }];
  const out: Segment[] = [];
  let style: Style = {};
  let last = 0;
  for (const m of line.matchAll(ESCAPE)) {
    if (m.index > last) out.push({ text: line.slice(last, m.index), style: plain(style) ? null : style });
    last = m.index + m[0].length;
    if (m[2] === "m")
      style = sgr(
        (m[1] || "0").split(/[;:]/).map((x) => Number(x) || 0),
        style,
      );
  }
  if (last < line.length) out.push({ text: line.slice(last), style: plain(style) ? null : style });
  return out;
}

/** A line's text without escape sequences (what search looks in). */
export const stripAnsi = (line: string): string => (line.includes("\x1b") ? line.replace(ESCAPE, "") : line);
