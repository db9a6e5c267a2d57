// A job's output: only the lines in view are drawn (smooth with 100,000 lines), ANSI colours
// rendered, stderr marked; search finds lines and steps through them; follows the end while at it.
import type { CSSProperties, JSX } from "preact";
import { useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { parseAnsi, type Style, stripAnsi } from "./ansi.js";
import type { Line } from "./model.js";

const LH = 18;
const OVERSCAN = 20;

export function Output(props: { lines: readonly Line[]; count: number }) {
  const { lines, count } = props;
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(400);
  const [query, setQuery] = useState("");
  const [hit, setHit] = useState(0);
  const follow = useRef(true);
  const needle = query.toLowerCase();
  const matches = useMemo(() => {
    if (!needle) return [];
    const out: number[] = [];
    for (let i = 0; i < count; i++) if (stripAnsi(lines[i]!.text).toLowerCase().includes(needle)) out.push(i);
    return out;
  }, [lines, count, needle]);

  useLayoutEffect(() => {
    const el = box.current!;
    setHeight(el.clientHeight);
    if (follow.current) el.scrollTop = el.scrollHeight;
  }, [count]);

  const goTo = (n: number) => {
    if (matches.length === 0) return;
    const i = ((n % matches.length) + matches.length) % matches.length;
    setHit(i);
    follow.current = false;
    box.current!.scrollTop = Math.max(0, matches[i]! * LH - height / 2);
  };
  const first = Math.max(0, Math.floor(top / LH) - OVERSCAN);
  const last = Math.min(count, Math.ceil((top + height) / LH) + OVERSCAN);
  const current = matches[hit];
  const rows: JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const l = lines[i]!;
    rows.push(
      <div
        class={`line${l.err ? " err" : ""}${i === current ? " current" : ""}`}
        style={{ top: `${i * LH}px` }}
        key={i}
      >
        {render(l.text, needle)}
      </div>,
    );
  }
  return (
    <div class="output">
      <div class="search">
        <input
          type="search"
          placeholder="search the output"
          aria-label="search the output"
          value={query}
          onInput={(e) => {
            setQuery(e.currentTarget.value);
            setHit(0);
          }}
          onKeyDown={(e) => e.key === "Enter" && goTo(hit + (e.shiftKey ? -1 : 1))}
        />
        <span class="hits">
          {needle ? `${matches.length ? hit + 1 : 0} of ${matches.length}` : `${count} lines`}
        </span>
        <button type="button" onClick={() => goTo(hit - 1)} disabled={!matches.length}>
          ↑
        </button>
        <button type="button" onClick={() => goTo(hit + 1)} disabled={!matches.length}>
          ↓
        </button>
      </div>
      <div
        class="lines"
        ref={box}
        onScroll={(e) => {
          const el = e.currentTarget;
          setTop(el.scrollTop);
          follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - LH;
        }}
      >
        <div style={{ height: `${count * LH}px` }}>{rows}</div>
      </div>
    </div>
  );
}

/** A line's styled segments, with what search found marked. */
function render(text: string, needle: string): (string | JSX.Element)[] {
  const out: (string | JSX.Element)[] = [];
  const plainText = needle ? stripAnsi(text).toLowerCase() : "";
  let at = 0;
  for (const seg of parseAnsi(text)) {
    const parts: (string | JSX.Element)[] = [];
    let from = 0;
    while (needle) {
      // A match that starts in this segment is marked up to the segment's end.
      const found = plainText.indexOf(needle, at + from);
      if (found === -1 || found >= at + seg.text.length) break;
      const start = found - at;
      const end = Math.min(seg.text.length, start + needle.length);
      if (start > from) parts.push(seg.text.slice(from, start));
      parts.push(<mark>{seg.text.slice(start, end)}</mark>);
      from = end;
    }
    parts.push(seg.text.slice(from));
    at += seg.text.length;
    if (seg.style) out.push(<span style={css(seg.style)}>{parts}</span>);
    else out.push(...parts);
  }
  return out;
}

function css(s: Style): CSSProperties {
  const [fg, bg] = s.inverse
    ? [s.background ?? "var(--bg)", s.color ?? "var(--fg)"]
    : [s.color, s.background];
  return {
    color: fg,
    background: bg,
    fontWeight: s.bold ? "bold" : undefined,
    opacity: s.dim ? 0.7 : undefined,
    fontStyle: s.italic ? "italic" : undefined,
    textDecoration: s.underline ? "underline" : undefined,
  };
}
