// The web view's server (SPEC §17): HTTP on 127.0.0.1 only, the page's static files for anyone who
// names the host right, and the run's JSON API (answered by `api`) only with the run's bearer token.
// No CORS headers: a page of another origin can neither read the API nor send it the token.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Reporter } from "../events.js";
import { pageFile } from "./assets.js";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface UiServer {
  /** `http://127.0.0.1:PORT/` (no token: this goes into events and the run's record). */
  readonly url: string;
  /** The secret the page sends as `Authorization: Bearer <token>`; shown once, in the URL fragment. */
  readonly token: string;
  /** Closes the server once the run has ended (a reporter of the run). */
  readonly closer: Reporter;
}

const HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

/** Serves the page and `api` on 127.0.0.1:`port` (0: a free port); an error message when it cannot. */
export async function serveUi(api: Handler, port = 0): Promise<UiServer | string> {
  const token = randomBytes(32).toString("base64url");
  const expected = Buffer.from(`Bearer ${token}`);
  let hosts: ReadonlySet<string> = new Set();
  const server = createServer((req, res) => {
    // DNS rebinding: a page of evil.example resolved to 127.0.0.1 still says `Host: evil.example`.
    if (!hosts.has(req.headers.host ?? "")) return refuse(res, 403, "wrong Host header");
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path.startsWith("/api/")) {
      const given = Buffer.from(req.headers.authorization ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return refuse(res, 401, "this needs the token of the page's URL (Authorization: Bearer <token>)");
      return api(req, res);
    }
    const file = req.method === "GET" || req.method === "HEAD" ? pageFile(path) : undefined;
    if (!file) return refuse(res, 404, "not found");
    res.writeHead(200, { ...HEADERS, "content-type": file.type, "content-length": file.body.length });
    res.end(req.method === "HEAD" ? undefined : file.body);
  });
  const error = await new Promise<Error | null>((resolve) => {
    server.once("error", resolve);
    server.listen(port, "127.0.0.1", () => resolve(null));
  });
  if (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `cannot serve the web view on 127.0.0.1:${port}: ${code === "EADDRINUSE" ? "the port is in use" : (code ?? error.message)}`;
  }
  const bound = (server.address() as AddressInfo).port;
  hosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`]);
  const close = async () => {
    // Event streams end with run:end: let them flush, then drop what is left.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const t = setTimeout(() => server.closeAllConnections(), 1000);
    await closed;
    clearTimeout(t);
  };
  return { url: `http://127.0.0.1:${bound}/`, token, closer: { event() {}, close } };
}

function refuse(res: ServerResponse, status: number, error: string) {
  const text = JSON.stringify({ error });
  res.writeHead(status, { ...HEADERS, "content-type": "application/json", "content-length": text.length });
  res.end(text);
}
