// The web view's server (SPEC §17): 127.0.0.1 only, the token on every API request, the Host header
// checked, no CORS; the token printed once and written nowhere else; `procflow ui` for a run
// started without --ui; `procflow report` cuts big output.
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "../rig.js";
import { get, startRun, uiLine } from "./live.js";

const KEEP = `version: 1
jobs:
  svc: { command: [sleep, "300"], daemon: true }
  hello: { command: [echo, hello world] }
`;

/** Every file under a folder, read as text. */
const allText = (dir: string): string =>
  (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((d) => d.isFile())
    .map((d) => readFileSync(join(d.parentPath, d.name), "latin1"))
    .join("\n");

describe("run --ui: the server", () => {
  it("asks the token of every API request, checks Host, sends no CORS header, and serves the page to anyone", async () => {
    const run = startRun(KEEP, ["--ui", "--keep-alive", "--log-dir", "logs"]);
    const { port, token, url } = await uiLine(run.stderr);
    const auth = { authorization: `Bearer ${token}` };
    await run.until((e) => e.type === "job:exit" && e.job === "hello");

    const page = await get(port, "/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    // The page holds no run data: nothing of this run is in it or in its assets.
    const assets = page.body + (await get(port, "/page.js")).body + (await get(port, "/page.css")).body;
    expect(assets).not.toContain(run.events[0]!.runId as string);
    expect(assets).not.toContain("hello world");

    expect((await get(port, "/api/run")).status).toBe(401);
    expect((await get(port, "/api/run", { authorization: `Bearer ${token.slice(1)}x` })).status).toBe(401);
    expect((await get(port, "/api/run", { authorization: token })).status).toBe(401);
    expect((await get(port, "/api/jobs/svc/stop", {}, { method: "POST" })).status).toBe(401);
    const status = await get(port, "/api/run", auth);
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body).jobs.map((j: { job: string }) => j.job)).toEqual(["svc", "hello"]);
    expect((await get(port, "/api/run", { ...auth, host: `localhost:${port}` })).status).toBe(200);

    // DNS rebinding: the right token, but a page of another name.
    for (const host of ["evil.example", `evil.example:${port}`, `127.0.0.1:${port + 1}`, "127.0.0.1"]) {
      expect((await get(port, "/api/run", { ...auth, host })).status).toBe(403);
      expect((await get(port, "/", { host })).status).toBe(403);
    }
    // No CORS: neither a preflight nor a request with an Origin gets an Access-Control header.
    const origin = { origin: "http://evil.example" };
    const answers = [
      await get(
        port,
        "/api/run",
        { ...origin, "access-control-request-method": "GET" },
        { method: "OPTIONS" },
      ),
      await get(port, "/api/run", { ...origin, ...auth }),
      await get(port, "/", origin),
    ];
    for (const a of answers)
      expect(Object.keys(a.headers).filter((h) => h.startsWith("access-control-"))).toEqual([]);
    expect(answers[0]!.status).not.toBe(200);

    // 127.0.0.1 only: not ::1, not the machine's other addresses.
    const others = Object.entries(networkInterfaces()).flatMap(([name, addresses]) =>
      (addresses ?? [])
        .filter((a) => a.address !== "127.0.0.1")
        .map((a) => (a.address.startsWith("fe80:") ? `${a.address}%${name}` : a.address)),
    );
    expect(others).toContain("::1");
    for (const host of others)
      await expect(get(port, "/", {}, { host }), host).rejects.toMatchObject({ code: "ECONNREFUSED" });

    // The URL without the token goes into run:start and the run's record; the token nowhere but stderr.
    expect(run.events[0]!.ui).toBe(url);
    const record = JSON.parse(
      readFileSync(
        join(
          run.env.PROCFLOW_STATE_DIR,
          readdirSync(run.env.PROCFLOW_STATE_DIR).find((f) => f.endsWith(".json"))!,
        ),
        "utf8",
      ),
    );
    expect(record.ui).toBe(url);
    expect((await get(port, "/api/end", auth, { method: "POST" })).status).toBe(200);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stderr.split(token).length - 1).toBe(1);
    expect(r.stdout).not.toContain(token);
    expect(allText(run.dir)).not.toContain(token);
    expect(allText(run.env.PROCFLOW_STATE_DIR)).not.toContain(token);
  });

  it("--ui-port serves on that port; a port in use is a usage error that starts nothing", async () => {
    const busy = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => busy.once("listening", r));
    const port = (busy.address() as import("node:net").AddressInfo).port;
    const refused = startRun(KEEP, ["--ui-port", String(port)]);
    const r = await refused.done;
    busy.close();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot serve the web view on 127.0.0.1:${port}: the port is in use`);
    expect(r.stdout).toBe("");

    const run = startRun(KEEP, ["--ui-port", String(port), "--keep-alive", "--no-control"]);
    const ui = await uiLine(run.stderr);
    expect(ui.port).toBe(port);
    // Without the control socket, the page's API is answered in process.
    expect(
      (await get(port, "/api/end", { authorization: `Bearer ${ui.token}` }, { method: "POST" })).status,
    ).toBe(200);
    expect((await run.done).code).toBe(0);
  });

  it("procflow ui serves the page of a run started without --ui, and ends with the run", async () => {
    const run = startRun(KEEP, ["--keep-alive"]);
    await run.until((e) => e.type === "job:exit" && e.job === "hello");
    let err = "";
    const ui = cli(["ui"], {
      cwd: run.dir,
      env: run.env,
      onSpawn: (c) => c.stderr?.on("data", (s: string) => (err += s)),
    });
    const { port, token } = await uiLine(() => err);
    expect((await get(port, "/api/run")).status).toBe(401);
    expect(
      (await get(port, "/api/run", { host: "evil.example", authorization: `Bearer ${token}` })).status,
    ).toBe(403);
    const status = await get(port, "/api/run", { authorization: `Bearer ${token}` });
    expect(JSON.parse(status.body).run.runId).toBe(run.events[0]!.runId);
    const logs = await get(port, "/api/jobs/hello/logs", { authorization: `Bearer ${token}` });
    expect(JSON.parse(logs.body).lines.map((l: { line: string }) => l.line)).toEqual(["hello world"]);
    expect(
      (await get(port, "/api/end", { authorization: `Bearer ${token}` }, { method: "POST" })).status,
    ).toBe(200);
    expect((await run.done).code).toBe(0);
    expect((await ui).code).toBe(0);
  });
});

describe("procflow report", () => {
  it("cuts a job's output past 5 MB with a note, and escapes what could close its script", async () => {
    const run = startRun(
      `version: 1
jobs:
  big: { command: [sh, -c, "yes 0123456789012345678901234567890123456789012345678901234567890123456789 | head -n 90000"] }
  tricky: { command: [echo, "</script><script>alert(1)</script>"] }
`,
      ["--log-dir", "logs"],
    );
    expect((await run.done).code).toBe(0);
    const out = join(run.dir, "report.html");
    const r = await cli(["report", "logs/run.json", "-o", out], { cwd: run.dir });
    expect(r.code).toBe(0);
    const html = readFileSync(out, "utf8");
    const items = html
      .split("\n")
      .filter((l) => /^[[{]/.test(l))
      .map((l) => JSON.parse(l));
    // Output lines are [job's index in run:start.jobs, 1 if stderr, line].
    const kept = items.filter((e) => Array.isArray(e) && e[0] === 0).map((e) => e[2].length + 1);
    expect(kept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5_000_000);
    expect(kept.length).toBeGreaterThan(60_000);
    const cut = items.filter((e) => e.type === "report:cut");
    expect(cut).toEqual([
      { type: "report:cut", job: "big", lines: 90_000 - kept.length, bytes: expect.any(Number) },
    ]);
    expect(html.match(/<\/script>/g)?.length).toBe(2);
    expect(html).toContain("\\u003c/script>\\u003cscript>alert(1)");
  });

  it("reads run.json however it is laid out (pretty-printed, keys in any order, a line over many reads)", async () => {
    const long = `${"x".repeat(3_000_000)} end "quoted" ]}`;
    const events = [
      { seq: 1, time: 1, type: "run:start", runId: "r1", file: "/f", pid: 1, jobs: ["a"], needs: { a: [] } },
      { seq: 2, time: 2, type: "job:output", job: "a", stream: "stdout", line: long },
      {
        seq: 3,
        time: 3,
        type: "run:end",
        state: "succeeded",
        exitCode: 0,
        durationMs: 2,
        jobs: { a: "succeeded" },
      },
    ];
    const dir = tempDir({
      "run.json": JSON.stringify(
        { run: { state: "succeeded", events: [] }, events, logs: { a: "a.log" } },
        null,
        2,
      ),
    });
    const r = await cli(["report", "run.json", "-o", "r.html"], { cwd: dir });
    expect(r.code).toBe(0);
    const embedded = readFileSync(join(dir, "r.html"), "utf8")
      .split("\n")
      .filter((l) => /^[[{]/.test(l))
      .map((l) => JSON.parse(l));
    expect(embedded).toEqual([events[0], [0, 0, long], events[2]]);
  });

  it("refuses what is not a run.json, with a message", async () => {
    const dir = tempDir({ "jobs.yaml": "version: 1\n", "bad.json": '{"events":[{"seq":1,}]}' });
    for (const [file, words] of [
      ["missing.json", "no such file: missing.json"],
      ["jobs.yaml", "holds no events"],
      ["bad.json", "bad.json is not a run.json"],
    ]) {
      const r = await cli(["report", file!, "-o", "r.html"], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(words);
      expect(readdirSync(dir)).not.toContain("r.html");
    }
  });
});
