// A job's output: both pipes split into lines and handed on as `job:output` data, with an offer of
// each line to a `log` probe while one listens.

import { forEachLine } from "../events.js";
import { LineSplitter } from "./lines.js";
import type { ChildHandle } from "./process/spawn.js";

/** How long a finished job's output pipes may stay open (a background child holding them) before it ends anyway. */
const DRAIN_GRACE_MS = 100;

export interface OutputWiring {
  /** Resolves when both pipes ended, or DRAIN_GRACE_MS after the process exited. */
  readonly drained: Promise<void>;
  /** Stops reading (backpressure) or reads again. */
  pause(paused: boolean): void;
  /** A leftover child still holds the pipes open. */
  readonly open: boolean;
  /** Detaches from pipes still held open (at the end of the run). */
  release(): void;
}

export function wireOutput(
  child: ChildHandle,
  emit: (stream: "stdout" | "stderr", data: Buffer) => void,
  lineListener: () => ((line: string) => void) | null,
): OutputWiring {
  let streams: NodeJS.ReadableStream[] = [child.stdout, child.stderr];
  let open = 2;
  let allEnded!: () => void;
  const ended = new Promise<void>((resolve) => {
    allEnded = () => {
      streams = []; // nothing left to release
      resolve();
    };
  });
  for (const stream of ["stdout", "stderr"] as const) {
    const splitter = new LineSplitter((data) => {
      emit(stream, data);
      const listener = lineListener();
      if (listener) forEachLine(data, (line) => listener(line.toString()));
    });
    const s = child[stream];
    s.on("data", (chunk: Buffer) => splitter.push(chunk));
    s.once("end", () => {
      splitter.end();
      if (--open === 0) allEnded();
    });
    s.once("error", () => {
      if (--open === 0) allEnded();
    });
  }
  const drained = child.exited.then(() => {
    if (open === 0) return; // both pipes ended first (the common case): no grace to wait out
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DRAIN_GRACE_MS);
    });
    return Promise.race([ended, grace]).then(() => clearTimeout(timer));
  });
  return {
    drained,
    pause: (paused) => {
      for (const s of streams) paused ? s.pause() : s.resume();
    },
    get open() {
      return streams.length > 0;
    },
    release: () => {
      for (const s of streams) (s as NodeJS.ReadableStream & { destroy(): void }).destroy();
      streams = [];
    },
  };
}
