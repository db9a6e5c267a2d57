// The control endpoint, opened off the path to the first spawn (SPEC §11, issue 21): the run starts at
// once; the state folder is checked then (a warning when it cannot be used), the endpoint's module
// loads a moment later, receives the events it missed, then listens. A run over before that moment —
// sooner than any client could ask — never pays for the socket. The web view answers the API in
// process through `handle` (503 until the endpoint is there).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Reporter, RunEvent, RunMode } from "../events.js";
import type { JobGraph } from "../graph/types.js";
import type { RunControl } from "../run/control.js";
import type { ControlEndpoint } from "./server.js";
import { openStateDir, recordPath, socketPath, stateDirPath } from "./state-dir.js";

/** How long into the run the socket opens (the web view's endpoint is ready from the start). */
const OPEN_AFTER_MS = 20;

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
  let timer: NodeJS.Timeout | undefined;
  const missed: RunEvent[] = [];
  /** The folder of the run's socket, checked once: null (said why) when there is none. */
  let socketDir: string | null | undefined;
  const checkSocketDir = () => {
    if (socketDir !== undefined) return socketDir;
    const state = opts.socket ? openStateDir(true) : null;
    if (state && "error" in state) warn(`no control endpoint: ${state.error}`);
    socketDir = state && "dir" in state ? state.dir : null;
    return socketDir;
  };
  const prepare = () => {
    preparing ??= import("./server.js").then(({ prepareControl }) => {
      const stateDir = checkSocketDir();
      if (stateDir === null && !opts.inProcess) return null;
      const prepared = prepareControl(graph, runId, mode, stateDir);
      for (const e of missed.splice(0)) for (const r of prepared.reporters) r.event(e);
      endpoint = prepared;
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
      if (endpoint) opening = listen(endpoint);
      else if (checkSocketDir() !== null)
        timer = setTimeout(() => {
          opening = prepare().then(listen);
        }, OPEN_AFTER_MS);
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
        clearTimeout(timer);
        await preparing;
        await opening;
        missed.length = 0;
        await Promise.all((endpoint?.reporters ?? []).map((r) => r.close?.()));
      },
    },
  };
}
