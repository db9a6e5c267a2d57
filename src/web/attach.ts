// `procflow ui [--run <id>]`: the web view of a live run that was started without --ui. The page's
// API requests go, once the token is checked, to the run's control socket; it ends with the run.
import { type IncomingMessage, request, type ServerResponse } from "node:http";
import { findRuns } from "../control/client.js";
import { pickRun } from "../control/registry.js";
import { ExitCode } from "../exit-codes.js";
import { type Handler, serveUi } from "./serve.js";

export async function attachUi(runPrefix: string | undefined, port: number | undefined): Promise<number> {
  const err = (t: string) => void process.stderr.write(t);
  const runs = await findRuns({ err });
  if (!runs) return ExitCode.usage;
  const run = pickRun(runs, runPrefix, process.cwd());
  if (typeof run === "string") {
    err(`procflow ui: ${run}\n`);
    return ExitCode.usage;
  }
  const served = await serveUi(proxyTo(run.socket), port);
  if (typeof served === "string") {
    err(`procflow ui: ${served}\n`);
    return ExitCode.usage;
  }
  err(`ui: ${served.url}#${served.token}\n`);
  await ended(run.socket);
  await served.closer.close?.();
  return ExitCode.ok;
}

/** Forwards a request to the run's socket, without the token (the socket needs none: it is the user's). */
function proxyTo(socket: string): Handler {
  return (req: IncomingMessage, res: ServerResponse) => {
    const { authorization: _, host: __, ...headers } = req.headers;
    const upstream = request({ socketPath: socket, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => {
      if (res.headersSent) return void res.destroy();
      const text = JSON.stringify({ error: "the run does not answer (it has ended)" });
      res.writeHead(502, { "content-type": "application/json" }).end(text);
    });
    res.once("close", () => upstream.destroy());
    req.pipe(upstream);
  };
}

/** Resolves when the run has ended: its event stream (live events only) closes. */
function ended(socket: string): Promise<void> {
  return new Promise((resolve) => {
    const path = `/api/events?since=${Number.MAX_SAFE_INTEGER}`;
    const req = request({ socketPath: socket, path }, (res) => {
      res.resume();
      res.once("close", resolve);
    });
    req.once("error", () => resolve());
    req.end();
  });
}
