// A job's definition as a hash: what `--rerun-failed` compares to tell whether a job it would reuse
// changed since that run (SPEC §16). Everything that decides how the job runs counts; its priority,
// description and place in the file do not. Expressions (`${{ run.id }}`, ports) count as written.
import type { Job } from "../graph/types.js";

export function definitionHash(job: Job): string {
  const { weight: _w, source: _s, description: _d, ...rest } = job;
  return hash64(JSON.stringify(rest));
}

const utf8 = new TextEncoder();
/** The text's UTF-8 bytes, for hash64 (kept: one run hashes every job). */
let words = new Int32Array(1024);
let bytes = new Uint8Array(words.buffer);

/**
 * 64 bits of hash, as 16 hex digits: two 32-bit lanes multiplied through the text's UTF-8 bytes, four
 * at a time, and mixed into each other at the end (cyrb53's scheme, both lanes kept; the length seeds
 * it, and the last word is padded with zeros). It must tell definitions apart, not resist an
 * adversary, and node:crypto would cost every run about 2 ms to load.
 */
function hash64(text: string): string {
  const most = text.length * 3 + 4; // UTF-8 bytes at most (3 per UTF-16 unit), padding included
  if (most > bytes.length) {
    words = new Int32Array(most >>> 1); // twice that: room for texts to come
    bytes = new Uint8Array(words.buffer);
  }
  const { written } = utf8.encodeInto(text, bytes);
  const n = (written + 3) >>> 2;
  bytes.fill(0, written, n << 2);
  let a = 0xdeadbeef ^ written;
  let b = 0x41c6ce57;
  for (let i = 0; i < n; i++) {
    const w = words[i]!;
    a = Math.imul(a ^ w, 2654435761);
    b = Math.imul(b ^ w, 1597334677);
  }
  a = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
  b = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
  return (b >>> 0).toString(16).padStart(8, "0") + (a >>> 0).toString(16).padStart(8, "0");
}
