// Where a reporter writes: a stream that may push back (backpressure) and can be waited on.

export interface Sink {
  /** Returns false when the caller should wait for `drained()` before writing much more. */
  write(chunk: string | Buffer, encoding?: BufferEncoding): boolean;
  /** Resolves once the stream can take more, or once it has closed (nothing more will drain). */
  drained(): Promise<void>;
}

/** A sink on a Node stream (procflow's stdout in the CLI). */
export function streamSink(
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean },
  write = (c: string | Buffer) => stream.write(c),
): Sink {
  // A stream whose reader left (EPIPE) closes, and never drains: what waits for it goes on.
  let closed = false;
  const waiting: (() => void)[] = [];
  const release = () => {
    for (const resolve of waiting.splice(0)) resolve();
  };
  stream.on("drain", release);
  stream.once("close", () => {
    closed = true;
    release();
  });
  return {
    write,
    drained: () =>
      closed || !stream.writableNeedDrain
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.push(resolve)),
  };
}
