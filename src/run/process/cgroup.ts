// A cgroup v2 of its own for a run, where the system lets procflow make one (Linux, cgroup v2 mounted,
// procflow's own cgroup writable: root, or a delegated sub-tree). procflow moves itself into it before
// the first job starts, so every process of the run is born inside and stays there, whatever it does
// to its session, process group or environment: `setsid env -i …` cannot escape it.
//
// What it costs: a move between cgroups may wait for the kernel (an RCU grace period, 10–20 ms), so
// procflow moves in off its main thread, as early as it can (the first job waits for it, the rest of
// the start does not), and never moves out: it leaves by exiting, then the watchdog removes the
// cgroup (reaper.ts).
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, write } from "node:fs";
import { join } from "node:path";

export class RunCgroup {
  /** Resolves once procflow is inside: true, or false if the move was refused (the cgroup is removed then). */
  readonly entered: Promise<boolean>;

  private constructor(
    /** The run's cgroup directory. */
    readonly path: string,
    /** procflow's own cgroup directory, where it goes back to. */
    readonly home: string,
  ) {
    this.entered = moveInto(path).then(
      () => true,
      () => {
        removeTree(path);
        return false;
      },
    );
  }

  /** Creates the run's cgroup and starts moving procflow into it; null where there is none to be had. */
  static enter(runId: string): RunCgroup | null {
    if (process.platform !== "linux" || process.env.PROCFLOW_NO_CGROUP) return null;
    const home = ownCgroupDir();
    if (home === null) return null;
    const path = join(home, `procflow-${runId}`);
    try {
      mkdirSync(path);
    } catch {
      return null;
    }
    return new RunCgroup(path, home);
  }

  /** The live processes in the cgroup and in those below it (nested runs'), procflow itself excepted. */
  members(): number[] {
    const out: number[] = [];
    collect(this.path, out);
    return out;
  }

  /**
   * Moves procflow back to its own cgroup and removes the run's (what is still populated stays): where
   * no watchdog will, or the run did not start.
   */
  async remove(): Promise<void> {
    // Refused: then the folder stays, empty once procflow has exited.
    if (await this.entered) await moveInto(this.home).catch(() => {});
    removeTree(this.path);
  }
}

/**
 * Moves procflow into the cgroup `dir`: the write, which waits for the kernel, goes to libuv's thread
 * pool at once (the open is quick; fs.writeFile would queue the write behind the main thread's work).
 */
function moveInto(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let fd: number;
    try {
      fd = openSync(join(dir, "cgroup.procs"), "w");
    } catch (e) {
      reject(e);
      return;
    }
    write(fd, String(process.pid), (e) => {
      closeSync(fd);
      if (e) reject(e);
      else resolve();
    });
  });
}

function collect(dir: string, out: number[]): void {
  try {
    for (const p of readFileSync(join(dir, "cgroup.procs"), "latin1").split("\n"))
      if (p !== "" && Number(p) !== process.pid) out.push(Number(p));
    for (const d of readdirSync(dir, { withFileTypes: true }))
      if (d.isDirectory()) collect(join(dir, d.name), out);
  } catch {
    // removed meanwhile
  }
}

/** Removes a cgroup and the ones below it, deepest first. */
function removeTree(dir: string): void {
  try {
    for (const d of readdirSync(dir, { withFileTypes: true }))
      if (d.isDirectory()) removeTree(join(dir, d.name));
    rmdirSync(dir);
  } catch {
    // still populated, or gone
  }
}

/**
 * procflow's cgroup v2 directory: its path in /proc/self/cgroup ("0::/path") under the cgroup2 mount
 * from /proc/self/mountinfo (fields: id, parent, dev, root, mount point, options, … " - " type …).
 */
function ownCgroupDir(): string | null {
  try {
    const own = /^0::(\/.*)$/m.exec(readFileSync("/proc/self/cgroup", "utf8"))?.[1];
    if (own === undefined) return null; // cgroup v1 only
    for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
      const [mount, type] = line.split(" - ");
      if (!type?.startsWith("cgroup2 ")) continue;
      const [, , , root, point] = mount!.split(" ").map(unescapeMount);
      if (root === "/") return join(point!, own);
      if (own === root || own.startsWith(`${root}/`)) return join(point!, own.slice(root!.length));
    }
  } catch {
    // no /proc
  }
  return null;
}

/** Mount info escapes space, tab, newline and backslash as octal (\040). */
const unescapeMount = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
