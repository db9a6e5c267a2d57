// Keeps the last few lines of a job's output as strings, decoding only those (not every line).
const NL = 0x0a;

/** Replaces `into` with the last `n` lines of `data` (complete lines) appended to it. */
export function forEachLastLines(data: Buffer, n: number, into: string[]): void {
  let end = data.length - 1; // the final "\n"
  const found: string[] = [];
  while (end > 0 && found.length < n) {
    const start = data.lastIndexOf(NL, end - 1) + 1;
    found.push(data.toString("utf8", start, end).replace(/\x1b\[[0-9;]*[A-Za-z]/g, ""));
    end = start - 1;
  }
  into.push(...found.reverse());
  if (into.length > n) into.splice(0, into.length - n);
}
