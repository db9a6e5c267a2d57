// A live run's control endpoint (SPEC §11): HTTP/1.1 over a Unix socket in the user's state folder,
// serving the JSON API that `procflow ctl`, `procflow ps` and the web view use. Requests become
// commands on the run's one door (RunControl); answers and events come from what the run emitted.
import { chmodSync, unlinkSync } from "node:fs";
import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";
import type { Server as NetServer, Socket } from "node:net";
import type { EventOf, Reporter, RunEvent, RunMode } from "../events.js";
import { instancesOf } from "../graph/select.js";
import type { JobGraph } from "../graph/types.js";
import type { Command, CommandAnswer, RunControl } from "../run/control.js";
import { EventLog, LINES_PER_JOB, type OutputLine } from "./event-log.js";
import { writeRecord } from "./registry.js";
import { recordPath, socketPath } from "./state-dir.js";
import { StatusBoard } from "./status.js";

export interface ControlEndpoint {
  /** Subscribers to the run's events (keep them in the run's reporters). */
  readonly reporters: readonly Reporter[];
  /** The files to remove if procflow dies without cleaning up (the watchdog does). */
  readonly files: readonly string[];
  /** Opens the socket once the run has its door (unless there is none to open); a warning when it cannot. */
  listen(control: RunControl, ui?: string): Promise<string | null>;
  /** Answers an API request in process (the web view's server); 503 until the run has its door. */
  handle(req: IncomingMessage, res: ServerResponse): void;
}

const ENDED: ReadonlySet<string> = new Set([
  "succeeded",
  "failed",
  "timed_out",
  "stopped",
  "skipped",
  "reused",
  "cached",
]);

/**
 * Prepares the endpoint of a run, its socket in `stateDir` (checked by openStateDir). Without one
 * (`--no-control --ui`, or a state folder that cannot be used), the API is answered only in
 * process, through `handle`.
 */
export function prepareControl(
  graph: JobGraph,
  runId: string,
  mode: RunMode,
  stateDir: string | null,
): ControlEndpoint {
  const log = new EventLog();
  const board = new StatusBoard(new Set(graph.jobs.filter((j) => j.ready).map((j) => j.name)));
  let api: Api | null = null;
  const handle = (req: IncomingMessage, res: ServerResponse) =>
    api ? api.handle(req, res) : send(res, 503, { error: "the run is starting" });
  if (stateDir === null)
    return {
      reporters: [log, board],
      files: [],
      handle,
      async listen(control) {
        api = new Api(graph, log, board, control);
        return null;
      },
    };
  const socket = socketPath(stateDir, runId);
  const record = recordPath(stateDir, runId);
  // A plain socket server: `node:http` loads on the first connection, so a run nobody asks pays nothing for it.
  let server: NetServer | null = null;
  const connections = new Set<Socket>();
  let closed = false;
  const close = async () => {
    closed = true;
    const s = server;
    server = null;
    if (s) {
      const done = new Promise<void>((resolve) => s.close(() => resolve()));
      for (const c of connections) c.destroy(); // followers got run:end already
      await done;
    }
    removeFile(record);
    removeFile(socket);
  };
  // Closed after run:end has reached every follower.
  const closer: Reporter = { event() {}, close };
  let http: Promise<HttpServer> | null = null;
  const onConnection = (c: Socket) => {
    connections.add(c);
    c.once("close", () => connections.delete(c));
    http ??= import("node:http").then(({ createServer }) => createServer(handle));
    void http.then((h) => h.emit("connection", c));
  };
  return {
    reporters: [log, board, closer],
    files: [socket, record],
    handle,
    async listen(control, ui) {
      const { createServer } = await import("node:net");
      api = new Api(graph, log, board, control);
      server = createServer(onConnection);
      const error = await new Promise<Error | null>((resolve) => {
        server!.once("error", resolve);
        server!.listen(socket, () => resolve(null));
      });
      if (error) {
        server = null;
        return `no control endpoint: cannot listen on ${socket}: ${(error as NodeJS.ErrnoException).code ?? error.message}`;
      }
      if (closed) {
        // The run ended while the endpoint was opening.
        await close();
        return null;
      }
      chmodSync(socket, 0o600);
      writeRecord(stateDir, {
        runId,
        pid: process.pid,
        file: graph.file,
        cwd: process.cwd(),
        startedAt: Date.now(),
        socket,
        ui: ui ?? null,
        mode,
      });
      return null;
    },
  };
}

class Api {
  constructor(
    private readonly graph: JobGraph,
    private readonly log: EventLog,
    private readonly board: StatusBoard,
    private readonly control: RunControl,
  ) {}

  handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      this.route(req, res);
    } catch (e) {
      // A request that procflow cannot make sense of must never end the run.
      send(res, 400, { error: `bad request: ${(e as Error).message}` });
    }
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://procflow");
    const path = url.pathname;
    const job = /^\/api\/jobs\/([^/]+)\/(logs|restart|stop|start)$/.exec(path);
    const name = job ? decodeURIComponent(job[1]!) : "";
    if (req.method === "GET" && path === "/api/run") send(res, 200, this.board.snapshot());
    else if (req.method === "GET" && path === "/api/events") {
      // A reconnecting EventSource says where it was with Last-Event-ID.
      const since = count(url.searchParams.get("since") ?? String(req.headers["last-event-id"] ?? "0"));
      if (since === null) send(res, 400, { error: "since: expected a whole number (0 or more)" });
      else this.events(res, since);
    } else if (req.method === "GET" && job?.[2] === "logs") this.logs(res, name, url.searchParams);
    else if (req.method === "POST" && path === "/api/end") this.settle(res, this.end(req, res));
    else if (req.method === "POST" && job && job[2] !== "logs")
      this.settle(res, this.request(req, res, name, job[2] as "restart" | "stop" | "start"));
    else send(res, 404, { error: `no such endpoint: ${req.method} ${path}` });
  }

  /** An answer that fails (a bug) is a 500 for that request, not the end of the run. */
  private settle(res: ServerResponse, answer: Promise<void>) {
    answer.catch((e: Error) => {
      if (!res.headersSent) send(res, 500, { error: `procflow could not do it: ${e.message}` });
    });
  }

  private async request(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    verb: "restart" | "stop" | "start",
  ) {
    const body = await readBody(req);
    if (typeof body === "string") return send(res, body === TOO_LARGE ? 413 : 400, { error: body });
    const jobs = this.resolve(name);
    if (!jobs) return send(res, 404, { error: `no job named "${name}" in this run` });
    const withDependents = body.withDependents === true;
    return this.answer(res, verb === "restart" ? { verb, jobs, withDependents } : { verb, jobs });
  }

  private async end(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    if (typeof body === "string") return send(res, body === TOO_LARGE ? 413 : 400, { error: body });
    return this.answer(res, { verb: "end" });
  }

  /** A job name, or a matrix job's name for all its instances; null when the run has no such job. */
  private resolve(name: string): string[] | null {
    const names = instancesOf(this.graph, name)?.filter((n) => this.board.has(n)) ?? [];
    // A matrix built at run time: its instances are known from the events only.
    const dynamic = this.graph.jobs.some((j) => j.family === name && j.dynamicMatrix);
    const built = this.board.names().filter((n) => n === name || (dynamic && n.startsWith(`${name}[`)));
    const all = [...new Set([...names, ...built])];
    return all.length > 0 ? all : null;
  }

  private async answer(res: ServerResponse, command: Command) {
    const a: CommandAnswer = await this.control.command(command);
    if (a.ok) send(res, 200, { ok: true });
    else send(res, a.code === 1 ? 422 : 409, { error: a.error });
  }

  /** Server-Sent Events: the run's events after `since`, then live ones until the run ends. */
  private events(res: ServerResponse, since: number) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const { items, gap } = this.log.replay(since);
    if (gap)
      res.write(": some output lines of this replay were dropped (a run keeps the last 1000 per job)\n\n");
    for (const item of items) res.write(`id: ${item.seq}\ndata: ${item.json}\n\n`);
    if (this.board.snapshot().run?.state === "ended") {
      res.end();
      return;
    }
    const unsubscribe = this.log.subscribe((e, seq) => {
      for (const item of EventLog.serialize(e, seq)) res.write(`id: ${item.seq}\ndata: ${item.json}\n\n`);
      if (e.type === "run:end") res.end();
    });
    res.once("close", unsubscribe);
  }

  /** The job's last lines (`tail`, default 100); with `follow`, new lines as NDJSON until the job ends. */
  private logs(res: ServerResponse, name: string, params: URLSearchParams) {
    if (!this.board.has(name)) {
      const instances = this.resolve(name);
      const error = instances
        ? `${name} is a matrix job: name one of its instances (${instances.slice(0, 3).join(", ")}${instances.length > 3 ? ", …" : ""})`
        : `no job named "${name}" in this run`;
      // A matrix job exists: a request for it is wrong, not for nothing.
      send(res, instances ? 400 : 404, { error });
      return;
    }
    const asked = count(params.get("tail") ?? "100");
    if (asked === null) return send(res, 400, { error: "tail: expected a whole number (0 or more)" });
    const tail = Math.min(asked, LINES_PER_JOB);
    const lines = this.log.tail(name, tail);
    const state = this.board.state(name);
    const note =
      state === "skipped" || state === "reused" ? `${name} was ${state}: it has no output` : undefined;
    if (params.get("follow") !== "1" || note)
      return send(res, 200, { job: name, lines, ...(note ? { note } : {}) });
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    const write = (l: OutputLine) => res.write(`${JSON.stringify(l)}\n`);
    for (const l of lines) write(l);
    const daemon = this.graph.jobs.find((j) => j.name === name)?.daemon ?? false;
    const over = () =>
      this.board.snapshot().run?.state === "ended" || (!daemon && ENDED.has(this.board.state(name)!));
    if (over()) {
      res.end();
      return;
    }
    const unsubscribe = this.log.subscribe((e, seq) => {
      if (e.type === "job:output" && e.job === name) for (const l of EventLog.lines(e, seq)) write(l);
      // A restart, if any, is announced right after an exit: judge once it had its chance.
      if (isEnd(e, name)) queueMicrotask(() => over() && res.end());
    });
    res.once("close", unsubscribe);
  }
}

function isEnd(e: RunEvent, job: string): boolean {
  return (
    e.type === "run:end" ||
    ((e.type === "job:exit" || e.type === "job:skip") && (e as EventOf<"job:exit">).job === job)
  );
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const TOO_LARGE = "the request body is over 64 KiB";

/**
 * A POST's body: none, or a JSON object whose `withDependents`, if there, is a boolean (SPEC §11).
 * Anything else is refused with why (a string) rather than read as "no options": a client that
 * sends garbage must not have a command carried out as if it had asked for the defaults.
 */
async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | string> {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 65536) return TOO_LARGE;
  }
  if (text.trim() === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "the request body is not JSON";
  }
  if (!body || typeof body !== "object" || Array.isArray(body))
    return "the request body must be a JSON object";
  const { withDependents } = body as Record<string, unknown>;
  if (withDependents !== undefined && typeof withDependents !== "boolean")
    return `withDependents must be true or false, not ${JSON.stringify(withDependents)}`;
  return body as Record<string, unknown>;
}

/** Removes a file if it is there (unlinkSync: rmSync would load Node's rimraf module for it, ~0.4 ms). */
function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}

/** A query's whole number (0 or more), or null for anything else. */
function count(text: string): number | null {
  return /^\d+$/.test(text) ? Number(text) : null;
}
