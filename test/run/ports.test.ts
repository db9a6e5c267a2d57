// `ports:` (SPEC §16) through the real CLI: free ports picked before the run, distinct, outside the
// ephemeral range, locked in the state folder while the run lasts, given to the job and to every job.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, endStates, runJobs, tempDir, withEvents } from "../rig.js";

const [ephemeralLow, ephemeralHigh] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
  .trim()
  .split(/\s+/)
  .map(Number) as [number, number];

/** Below the ephemeral range, where procflow picks. */
const FIRST = 20_000 + Math.floor(Math.random() * 5000);

/** A private state folder (mode 0700), so that the test sees its own lock files. */
function stateDir(): string {
  const dir = join(tempDir(), "state");
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

const file = `version: 1
env: { API_URL: "http://127.0.0.1:\${{ jobs.api.ports.http }}/" }
jobs:
  api:
    command: [node, -e, 'require("http").createServer((q, s) => s.end("pong")).listen(+process.env.PROCFLOW_PORT_HTTP, "127.0.0.1"); console.log(process.env.PROCFLOW_PORT_HTTP, process.env.PROCFLOW_PORT_METRICS)']
    daemon: true
    ports: [http, metrics]
    ready: { tcp: "\${{ jobs.api.ports.http }}" }
  shard:
    command: [sh, -c, 'echo "$PROCFLOW_PORT_P"; ls "$LOCKS"']
    matrix: { i: [1, 2] }
    ports: [p]
  client:
    command: [node, -e, 'fetch(process.env.API_URL).then((r) => r.text()).then((t) => console.log(process.argv[1], t))', "\${{ jobs.api.ports.metrics }}"]
    needs: [api]
  own:
    command: [echo, "\${{ jobs['shard[i=2]'].ports.p }}"]
`;

describe("ports", () => {
  it("picks distinct free ports, gives them as PROCFLOW_PORT_* and ${{ jobs.*.ports.* }}, records them", async () => {
    const state = stateDir();
    const r = await runJobs(file, [], { env: { PROCFLOW_STATE_DIR: state, LOCKS: join(state, "ports") } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const ports = r.of("run:start")[0]!.ports as Record<string, Record<string, number>>;
    expect(Object.keys(ports)).toEqual(["api", "shard[i=1]", "shard[i=2]"]);
    const { http, metrics } = ports.api!;
    const all = [http, metrics, ports["shard[i=1]"]!.p, ports["shard[i=2]"]!.p] as number[];
    expect(new Set(all).size).toBe(4);
    for (const p of all) expect(p < ephemeralLow || p > ephemeralHigh).toBe(true);
    expect(r.lines("api")).toEqual([`${http} ${metrics}`]);
    expect(r.lines("client")).toEqual([`${metrics} pong`]);
    expect(r.lines("own")).toEqual([String(ports["shard[i=2]"]!.p)]);
    // While the run lasts each port has its lock file; none is left after it.
    const shard = r.lines("shard[i=1]");
    expect(shard[0]).toBe(String(ports["shard[i=1]"]!.p));
    expect(shard.slice(1).sort()).toEqual(all.map((p) => `${p}.lock`).sort());
    expect(readdirSync(join(state, "ports"))).toEqual([]);
  });

  it("keeps a job's ports across its attempts", async () => {
    const r = await runJobs(
      `version: 1
jobs:
  flaky:
    command: [sh, -c, 'echo "$PROCFLOW_PORT_HTTP"; test "$PROCFLOW_ATTEMPT" = 2']
    ports: [http]
    restart: on-failure
    restart_delay: 10ms
`,
      [],
      { env: { PROCFLOW_STATE_DIR: stateDir() } },
    );
    expect(r.code).toBe(0);
    const port = String((r.of("run:start")[0]!.ports as { flaky: { http: number } }).flaky.http);
    expect(r.lines("flaky")).toEqual([port, port]);
  });

  it("two runs at the same time never share a port, even when both want the same ones", async () => {
    const state = stateDir();
    const jobs = Array.from({ length: 20 }, (_, i) => `  j${i}: { command: [sleep, "0.5"], ports: [a, b] }`);
    const yaml = `version: 1\nconcurrency: 20\njobs:\n${jobs.join("\n")}\n`;
    const dirs = [tempDir({ "f.yaml": yaml }), tempDir({ "f.yaml": yaml })];
    // Both runs start from the same port: without the locks they would pick the very same 40.
    const env = { PROCFLOW_STATE_DIR: state, PROCFLOW_DEBUG_PORT_START: String(FIRST) };
    const runs = await Promise.all(
      dirs.map(async (dir) => withEvents(await cli(["run", "f.yaml", "-o", "json"], { cwd: dir, env }), dir)),
    );
    const picked = runs.map((r) => {
      expect(r.code).toBe(0);
      return Object.values(r.of("run:start")[0]!.ports as Record<string, Record<string, number>>).flatMap(
        Object.values,
      );
    });
    expect(picked[0]).toHaveLength(40);
    expect(new Set([...picked[0]!, ...picked[1]!]).size).toBe(80);
  });

  it("skips a port locked by a live process and takes over the lock of a dead one", async () => {
    const state = stateDir();
    mkdirSync(join(state, "ports"), { mode: 0o700 });
    writeFileSync(join(state, "ports", `${FIRST}.lock`), `${process.pid}\n`);
    writeFileSync(join(state, "ports", `${FIRST + 1}.lock`), "2147483646\n"); // no such pid
    const r = await runJobs("version: 1\njobs:\n  a: { command: [echo], ports: [x, y] }\n", [], {
      env: { PROCFLOW_STATE_DIR: state, PROCFLOW_DEBUG_PORT_START: String(FIRST) },
    });
    expect(r.code).toBe(0);
    expect((r.of("run:start")[0]!.ports as Record<string, object>).a).toEqual({ x: FIRST + 1, y: FIRST + 2 });
    expect(readdirSync(join(state, "ports"))).toEqual([`${FIRST}.lock`]);
  });

  it("jobs/demo.yaml runs twice at the same time, both passing", async () => {
    const demo = new URL("../../jobs/demo.yaml", import.meta.url).pathname;
    const runs = await Promise.all([1, 2].map(() => cli(["run", demo, "-o", "quiet"])));
    for (const r of runs)
      expect([r.code, r.stderr, r.stdout]).toEqual([0, "", expect.stringContaining("run succeeded")]);
  });

  it("checks port names and references at their lines", async () => {
    const dir = tempDir({
      "f.yaml": `version: 1
jobs:
  api: { command: [x], ports: [HTTP] }
  m: { command: [x], matrix: { i: [1, 2] }, ports: [p] }
  c:
    command: [echo, "\${{ jobs.api.ports.http }}", "\${{ jobs.m.ports.p }}", "\${{ jobs.nope.ports.p }}"]
`,
    });
    const r = await cli(["validate", "f.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/f\.yaml:3:32: error: jobs\.api\.ports\[0\]: .*\^\[a-z\]\[a-z0-9_\]\*\$/);
    const withoutNames = r.stderr.replace("[HTTP]", "[http]");
    expect(withoutNames).toContain(
      "\"m\" is a matrix job with ports per instance: name one, e.g. jobs['m[i=…]'].ports.p",
    );
    expect(r.stderr).toContain('no job named "nope"');
  });
});

it("records no ports for a run without any", async () => {
  const r = await runJobs("version: 1\njobs:\n  a: { command: [echo] }\n");
  expect(endStates(r)).toEqual({ a: "succeeded" });
  expect(r.of("run:start")[0]!.ports).toEqual({});
});
