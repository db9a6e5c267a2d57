// The child side of a `target` job, run in a forked Node process with an IPC channel: imports the
// module, calls the exported function (or constructs the class and awaits `run()`) with the job's
// args, reports the result over IPC, and exits once the call settles, as a Python Process does.
// argv: <module path> <export name> <args as JSON> [daemon]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { locateSyntaxError } from "./process/target-syntax.js";

type Message = { procflow: "result"; value: unknown } | { procflow: "error"; message: string };

const [modulePath = "", exportName = "default", argsJson = "[]", mode] = process.argv.slice(2);
const daemon = mode === "daemon";

class TargetError extends Error {}

/** What the child is waiting for: if the event loop runs dry meanwhile, it never will be. */
let waitingFor: "import" | "call" | null = "import";

// A target may call process.disconnect(), as a forked child does to let itself exit, which would
// close the channel its result travels on: the channel stops keeping the process alive at once, but
// closes only once the result is sent.
const disconnect = process.disconnect?.bind(process);
process.disconnect = () => process.channel?.unref();

async function main(): Promise<number> {
  try {
    const args = JSON.parse(argsJson) as unknown[];
    const mod = (await importModule(modulePath)) as Record<string, unknown>;
    waitingFor = "call";
    if (!(exportName in mod)) throw new TargetError(`${modulePath} has no export "${exportName}"`);
    const target = mod[exportName];
    let value: unknown;
    if (typeof target === "function" && /^class[\s{]/.test(Function.prototype.toString.call(target))) {
      const instance = new (target as new (...a: unknown[]) => { run?: () => unknown })(...args);
      if (typeof instance.run !== "function")
        throw new TargetError(`class "${exportName}" has no run() method`);
      value = await instance.run();
    } else if (typeof target === "function") value = await (target as (...a: unknown[]) => unknown)(...args);
    else throw new TargetError(`export "${exportName}" of ${modulePath} is not a function or a class`);
    if (value !== undefined) {
      let json: string | undefined;
      try {
        json = JSON.stringify(value);
      } catch (e) {
        throw new TargetError(`the result is not JSON-serializable: ${(e as Error).message.split("\n")[0]}`);
      }
      if (json !== undefined) await send({ procflow: "result", value: JSON.parse(json) });
    }
    waitingFor = null;
    return 0;
  } catch (e) {
    waitingFor = null;
    const message = e instanceof Error ? e.message : String(e);
    if (!(e instanceof TargetError))
      process.stderr.write(`${e instanceof Error && e.stack ? e.stack : message}\n`);
    await send({ procflow: "error", message });
    return 1;
  }
}

async function importModule(path: string): Promise<unknown> {
  if (/\.[cm]?tsx?$/.test(path)) {
    const { register } = (await import(pathToFileURL(tsxEsmApi(path)).href)) as { register: () => void };
    register();
  }
  try {
    return await import(pathToFileURL(path).href);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" && (e as Error).message.includes(path))
      throw new TargetError(`module not found: ${path}`);
    const at = e instanceof SyntaxError ? locateSyntaxError(e, path) : null;
    if (!at) throw e;
    const where = `${shown(at.file)}:${at.line}:${at.column}`;
    process.stderr.write(`${where}\n${at.frame}\n\nSyntaxError: ${(e as Error).message}\n`);
    throw new TargetError(`${where}: SyntaxError: ${(e as Error).message}`);
  }
}

/** The ESM entry of tsx's loader API, as resolved from the module's folder. */
function tsxEsmApi(path: string): string {
  let manifest: string;
  try {
    manifest = createRequire(path).resolve("tsx/package.json");
  } catch {
    throw new TargetError(
      `cannot load TypeScript module ${path}: install tsx next to the job file (npm install --save-dev tsx)`,
    );
  }
  const exports = (
    JSON.parse(readFileSync(manifest, "utf8")) as {
      exports?: Record<string, { import?: { default?: string } }>;
    }
  ).exports;
  const entry = exports?.["./esm/api"]?.import?.default;
  if (!entry)
    throw new TargetError(`cannot load TypeScript module ${path}: the installed tsx is too old (need tsx 4)`);
  return join(dirname(manifest), entry);
}

/** A path as the user wrote it: relative to the job file's folder when inside it. */
function shown(path: string): string {
  const base = process.env.PROCFLOW_FILE ? dirname(process.env.PROCFLOW_FILE) : process.cwd();
  const rel = relative(base, path);
  return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? path : `./${rel}`;
}

function send(message: Message): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

const flush = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => stream.write("", () => resolve()));

process.on("beforeExit", () => {
  if (!waitingFor) return;
  const what =
    waitingFor === "import"
      ? `module ${shown(modulePath)} never finished loading (a top-level await never settled)`
      : `target ${shown(modulePath)}#${exportName} returned a promise that never settled`;
  waitingFor = null;
  void send({ procflow: "error", message: what }).then(() => process.exit(1));
});

const code = await main();
if (daemon && code === 0) {
  // A daemon target may have started a server and returned: it lives until procflow stops it, even
  // with nothing left to keep Node's event loop busy (SPEC §1).
  disconnect?.();
  setInterval(() => {}, 2 ** 30);
} else {
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  process.exit(process.exitCode ?? code);
}
