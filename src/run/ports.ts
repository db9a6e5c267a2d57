// `ports:` (SPEC §16): free TCP ports on 127.0.0.1, picked once before the run for every instance
// that names some. A port is taken only when its lock file can be created exclusively in the state
// folder (`ports/<port>.lock`, holding procflow's pid) and it can be bound right now; the locks are
// held until the run ends (so a restarted job finds its port again and no concurrent run takes it),
// and removed by the watchdog if procflow is killed. Ports come from outside the system's ephemeral
// range, which the kernel hands out to outgoing connections and `listen(0)`.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { openStateDir } from "../control/state-dir.js";
import type { Job } from "../graph/types.js";
import { makeDir } from "../write-paths.js";
import type { Ports } from "./with-ports.js";

export interface PickedPorts {
  readonly ports: Ports;
  /** The lock files: removed by `release`, or by the watchdog. */
  readonly files: readonly string[];
  release(): void;
}

const LOWEST = 10_000;

/** Picks every port the jobs name; null when none does. */
export async function pickPorts(jobs: readonly Job[]): Promise<PickedPorts | null> {
  const wanted = jobs.filter((j) => j.ports.length > 0);
  if (wanted.length === 0) return null;
  const locks = lockFolder();
  // A test hook: the first port to try (concurrent runs then want the same ports, and only the locks part them).
  const candidates = new Candidates(
    ephemeralRange(),
    Number(process.env.PROCFLOW_DEBUG_PORT_START) || undefined,
  );
  const files: string[] = [];
  const ports: Record<string, Record<string, number>> = {};
  const release = () => {
    for (const f of files.splice(0))
      try {
        unlinkSync(f);
      } catch {}
  };
  try {
    for (const job of wanted) {
      const own: Record<string, number> = {};
      for (const name of job.ports) {
        const { port, file } = await takeOne(candidates, locks);
        if (file) files.push(file);
        own[name] = port;
      }
      ports[job.name] = own;
    }
  } catch (e) {
    release();
    throw e;
  }
  return { ports, files, release };
}

async function takeOne(
  candidates: Candidates,
  locks: string | null,
): Promise<{ port: number; file?: string }> {
  for (let tries = 0; tries < 2000; tries++) {
    const port = candidates.next();
    const file = locks === null ? undefined : join(locks, `${port}.lock`);
    if (file && !lock(file)) continue;
    if (await bindable(port)) return { port, file };
    if (file) unlinkSync(file);
  }
  throw new Error("ports: no free TCP port found on 127.0.0.1 outside the ephemeral range");
}

/** Creates the lock file; a lock whose procflow is gone is taken over. */
function lock(file: string): boolean {
  for (let again = 0; again < 2; again++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (holderAlive(file)) return false;
      try {
        unlinkSync(file);
      } catch {}
    }
  }
  return false;
}

function holderAlive(file: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(file, "utf8"), 10);
  } catch {
    return true; // being written, or gone: leave it
  }
  if (!(pid > 0)) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `<state>/ports`, or null (with a warning) when the state folder cannot be used. */
function lockFolder(): string | null {
  const state = openStateDir(true);
  if ("error" in state) {
    process.stderr.write(
      `procflow: warning: ports: ${state.error}; picked without locks, so a concurrent run might pick the same\n`,
    );
    return null;
  }
  const dir = join(state.dir, "ports");
  makeDir(dir, 0o700);
  return dir;
}

/** The system's ephemeral port range (Linux), else the IANA one. */
function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number);
    if (lo && hi && lo <= hi) return [lo, hi];
  } catch {}
  return [49152, 65535];
}

/** Ports to try, from a random start, each once per run, outside the ephemeral range. */
class Candidates {
  private readonly ranges: [number, number][];
  private readonly size: number;
  private at: number;
  private readonly given = new Set<number>();

  constructor([lo, hi]: [number, number], first?: number) {
    this.ranges = [
      [LOWEST, lo - 1],
      [hi + 1, 65535],
    ].filter(([a, b]) => a! <= b!) as [number, number][];
    if (this.ranges.length === 0) this.ranges = [[1024, 65535]];
    this.size = this.ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
    this.at = Math.floor(Math.random() * this.size);
    let offset = 0;
    for (const [a, b] of this.ranges) {
      if (first !== undefined && first >= a && first <= b) this.at = offset + first - a;
      offset += b - a + 1;
    }
  }

  next(): number {
    for (;;) {
      let i = this.at++ % this.size;
      for (const [a, b] of this.ranges) {
        if (i <= b - a) {
          const port = a + i;
          if (this.given.has(port)) break;
          this.given.add(port);
          return port;
        }
        i -= b - a + 1;
      }
      if (this.given.size >= this.size) throw new Error("ports: every candidate port was tried");
    }
  }
}
