// Splits a byte stream into complete lines without decoding it: each chunk handed on ends in "\n".
// A line longer than MAX_LINE is cut into pieces of at most that size rather than buffered without
// bound, each cut moved back to a UTF-8 character boundary so that no character is split.

export const MAX_LINE = 64 * 1024;
const NL = 0x0a;
const NEWLINE = Buffer.from("\n");

export class LineSplitter {
  private partial: Buffer | null = null;

  constructor(private readonly emit: (lines: Buffer) => void) {}

  push(chunk: Buffer): void {
    const last = chunk.lastIndexOf(NL);
    if (last === -1) {
      this.partial = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
      while (this.partial && this.partial.length > MAX_LINE) this.cut();
      return;
    }
    let from = 0;
    if (this.partial) {
      // Complete the pending line on its own, so that the rest of the chunk is passed on uncopied.
      const first = chunk.indexOf(NL);
      this.emitBounded(Buffer.concat([this.partial, chunk.subarray(0, first + 1)]));
      from = first + 1;
    }
    if (last + 1 > from)
      this.emitBounded(from === 0 && last === chunk.length - 1 ? chunk : chunk.subarray(from, last + 1));
    this.partial = last === chunk.length - 1 ? null : chunk.subarray(last + 1);
    while (this.partial && this.partial.length > MAX_LINE) this.cut();
  }

  /** Hands on the last line, if it had no newline. */
  end(): void {
    if (this.partial && this.partial.length > 0) this.emit(Buffer.concat([this.partial, NEWLINE]));
    this.partial = null;
  }

  private cut() {
    const p = this.partial!;
    const end = charBoundary(p, MAX_LINE);
    this.emit(Buffer.concat([p.subarray(0, end), NEWLINE]));
    this.partial = p.subarray(end);
  }

  /** Emits complete lines, cutting any line over MAX_LINE (checked only for big chunks). */
  private emitBounded(lines: Buffer) {
    if (lines.length <= MAX_LINE) return this.emit(lines);
    let from = 0;
    for (let start = 0; start < lines.length; ) {
      const nl = lines.indexOf(NL, start);
      if (nl - start > MAX_LINE) {
        if (start > from) this.emit(lines.subarray(from, start));
        let p = start;
        while (nl - p > MAX_LINE) {
          const end = charBoundary(lines, p + MAX_LINE);
          this.emit(Buffer.concat([lines.subarray(p, end), NEWLINE]));
          p = end;
        }
        this.emit(lines.subarray(p, nl + 1));
        from = nl + 1;
      }
      start = nl + 1;
    }
    if (from < lines.length) this.emit(lines.subarray(from));
  }
}

/**
 * Where to cut `buf` at or just before `at` (at most 3 bytes back): before the lead byte of a UTF-8
 * sequence that `at` would split. Bytes that are not such a sequence (invalid UTF-8) are cut at `at`.
 */
function charBoundary(buf: Buffer, at: number): number {
  for (let i = at - 1; i >= at - 4; i--) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const length = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 1;
    return i + length > at ? i : at;
  }
  return at;
}
