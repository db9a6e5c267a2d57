// Where a reporter writes: a stream that may push back (backpressure) and can be waited on.

export interface Sink {
  /** Returns false when the caller should wait for `drained()` before writing much more. */
  write(chunk: string | Buffer, encoding?: BufferEncoding): boolean;
  drained(): Promise<void>;
}

/** A sink on a Node stream (procflow's stdout in the CLI). */
export function streamSink(
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean },
  write = (c: string | Buffer) => stream.write(c),
): Sink {
  return {
    write,
    drained: () =>
      stream.writableNeedDrain
        ? new Promise<void>((resolve) => stream.once("drain", () => resolve()))
        : Promise.resolve(),
  };
}
