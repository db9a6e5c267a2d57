// The control endpoint, opened off the path to the first spawn (SPEC §11, issue 21): the run starts at
// once; the endpoint's module loads meanwhile, receives the events it missed, then listens. The web
// view answers the API in process through `handle` (503 until the endpoint is there).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Reporter, RunEvent, RunMode } from "../events.js";
import type { JobGraph } from "../graph/types.js";
import type { RunControl } from "../run/control.js";
import type { ControlEndpoint } from "./server.js";
import { recordPath, socketPath, stateDirPath } from "./state-dir.js";

export interface LateControl {
  /** Receives every event of the run (buffered until the endpoint is ready). */
  readonly reporter: Reporter;
  /** The endpoint's files, for the watchdog to remove if procflow dies. */
  readonly files: readonly string[];
  /** Loads and prepares the endpoint now (the web view needs it before the run starts). */
  prepare(): Promise<void>;
  /** Opens the endpoint once the run has its door (`ui`: the web view's URL, for the run's record). */
  open(door: RunControl, ui?: string): void;
  /** Answers an API request in process (the web view's server). */
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * `socket`: listen on the run's Unix socket (not with --no-control); `inProcess`: the API is also
 * wanted in process (the web view), so without a usable socket the endpoint still answers there.
 */
export function lateControl(
  graph: JobGraph,
  runId: string,
  mode: RunMode,
  opts: { socket: boolean; inProcess: boolean },
  warn: (message: string) => void,
): LateControl {
  const dir = stateDirPath();
  let endpoint: ControlEndpoint | null = null;
  let preparing: Promise<ControlEndpoint | null> | null = null;
  let opening: Promise<void> = Promise.resolve();
  const missed: RunEvent[] = [];
  const prepare = () => {
    preparing ??= import("./server.js").then(({ prepareControl }) => {
      let prepared = prepareControl(graph, runId, mode, opts.socket);
      if ("warning" in prepared) {
        warn(prepared.warning);
        if (!opts.inProcess) return null;
        prepared = prepareControl(graph, runId, mode, false);
        if ("warning" in prepared) return null;
      }
      for (const e of missed.splice(0)) for (const r of prepared.endpoint.reporters) r.event(e);
      endpoint = prepared.endpoint;
      return endpoint;
    });
    return preparing;
  };
  return {
    files: opts.socket ? [socketPath(dir, runId), recordPath(dir, runId)] : [],
    prepare: async () => void (await prepare()),
    open(door, ui) {
      const listen = async (ready: ControlEndpoint | null) => {
        const problem = await ready?.listen(door, ui);
        if (problem) warn(problem);
      };
      // Prepared beforehand (the web view): the API answers from the start of the run.
      opening = endpoint ? listen(endpoint) : prepare().then(listen);
    },
    handle(req, res) {
      if (endpoint) endpoint.handle(req, res);
      else {
        res.writeHead(503, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "the run is starting" }));
      }
    },
    reporter: {
      event(e) {
        if (endpoint) for (const r of endpoint.reporters) r.event(e);
        else missed.push(e);
      },
      async close() {
        await preparing;
        await opening;
        missed.length = 0;
        await Promise.all((endpoint?.reporters ?? []).map((r) => r.close?.()));
      },
    },
  };
}
