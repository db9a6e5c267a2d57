// A run's id: a random UUID (version 4). Read from /dev/urandom where there is one: loading node:crypto
// would cost every run about 2 ms of its start-up.
import { closeSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";

export function newRunId(): string {
  const b = Buffer.alloc(16);
  try {
    const fd = openSync("/dev/urandom", "r");
    try {
      readSync(fd, b, 0, 16, null);
    } finally {
      closeSync(fd);
    }
  } catch {
    return (createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto")).randomUUID();
  }
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
