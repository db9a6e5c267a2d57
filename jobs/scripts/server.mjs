// A small HTTP service for the demo: GET /health answers 200, GET /square?n=N answers N².
import { createServer } from "node:http";

const port = Number(process.env.DEMO_PORT ?? 47813);
let served = 0;
const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/health") return res.end("ok\n");
  if (url.pathname === "/square") {
    const n = Number(url.searchParams.get("n"));
    served++;
    return res.end(`${n * n}\n`);
  }
  res.statusCode = 404;
  res.end("not found\n");
});
server.listen(port, "127.0.0.1", () =>
  console.log(`listening on http://127.0.0.1:${port} (pid ${process.pid})`),
);
process.on("SIGTERM", () => {
  console.log(`shutting down after ${served} requests`);
  server.close(() => process.exit(0));
});
