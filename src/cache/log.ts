// A job's output as the cache keeps it: its chunks in order, each `[stream byte][length u32][bytes]`.
export interface OutputChunk {
  readonly stream: "stdout" | "stderr";
  readonly data: Buffer;
}

export function encodeLog(chunks: readonly OutputChunk[]): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) {
    const head = Buffer.alloc(5);
    head[0] = c.stream === "stdout" ? 1 : 2;
    head.writeUInt32BE(c.data.length, 1);
    parts.push(head, c.data);
  }
  return Buffer.concat(parts);
}

/** The chunks back, or null when the bytes are not such a log. */
export function decodeLog(data: Buffer): OutputChunk[] | null {
  const chunks: OutputChunk[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 5 > data.length || (data[at] !== 1 && data[at] !== 2)) return null;
    const length = data.readUInt32BE(at + 1);
    if (at + 5 + length > data.length) return null;
    chunks.push({
      stream: data[at] === 1 ? "stdout" : "stderr",
      data: data.subarray(at + 5, at + 5 + length),
    });
    at += 5 + length;
  }
  return chunks;
}
