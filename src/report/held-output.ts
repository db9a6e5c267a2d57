// A job's output held until it can be shown as one block (grouped and quiet modes), in bounded
// memory: past HOLD_LIMIT bytes it spills to a temp file, and it is written back a chunk at a time,
// waiting for the sink to drain. The file has no name once created: it is opened exclusively in a
// fresh private folder, then unlinked (and the folder removed) at once, so a planted symlink is never
// followed and nothing is left behind, even if procflow is killed with SIGKILL.
import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sink } from "./sink.js";

export const HOLD_LIMIT = 1024 * 1024;
const READ_CHUNK = 64 * 1024;

export class HeldOutput {
  private chunks: Buffer[] = [];
  private size = 0;
  private file: { fd: number; size: number } | null = null;
  /** False once a spill file could not be made (no usable temp folder): the output stays in memory. */
  private canSpill = true;

  get bytes(): number {
    return this.file ? this.file.size : this.size;
  }

  push(data: Buffer): void {
    if (this.file) {
      writeSync(this.file.fd, data);
      this.file.size += data.length;
      return;
    }
    this.chunks.push(data);
    this.size += data.length;
    if (this.size > HOLD_LIMIT && this.canSpill) this.spill();
  }

  /** Writes everything held to the sink and empties this buffer. */
  async writeTo(sink: Sink): Promise<void> {
    if (!this.file) {
      if (this.size > 0) sink.write(Buffer.concat(this.chunks, this.size));
      this.chunks = [];
      this.size = 0;
      return;
    }
    const { fd, size } = this.file;
    this.file = null;
    try {
      for (let at = 0; at < size; ) {
        const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - at));
        const n = readSync(fd, chunk, 0, chunk.length, at);
        if (n <= 0) break;
        at += n;
        if (!sink.write(n === chunk.length ? chunk : chunk.subarray(0, n))) await sink.drained();
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Forgets what is held. */
  discard(): void {
    this.chunks = [];
    this.size = 0;
    if (this.file) {
      closeSync(this.file.fd);
      this.file = null;
    }
  }

  private spill() {
    let fd: number;
    try {
      const folder = mkdtempSync(join(tmpdir(), "procflow-held-"));
      const path = join(folder, "output");
      try {
        fd = openSync(path, "wx+", 0o600);
        unlinkSync(path);
      } finally {
        rmdirSync(folder);
      }
    } catch {
      this.canSpill = false;
      return;
    }
    for (const c of this.chunks) writeSync(fd, c);
    this.file = { fd, size: this.size };
    this.chunks = [];
    this.size = 0;
  }
}
