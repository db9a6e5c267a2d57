// procflow's command line: argv → options → one pipeline call per command. Only this module sets the exit code.
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ExitCode } from "../exit-codes.js";
import { packageVersion } from "../paths.js";
import { newRunId } from "../run/run-id.js";
import { colorEnabled, colors } from "./color.js";
import { writeOut } from "./output.js";
import type { RunFlags } from "./run.js";
import { abandonRun, startRun } from "./run-start.js";

/** `start`: the run's start, when bin/procflow.js made it before loading the CLI. */
export async function main(argv: string[], start = startRun(argv)): Promise<number> {
  let code: number = ExitCode.ok;
  const program = new Command("procflow")
    .description("Declarative job-graph runner: run the processes of a YAML job file in dependency order.")
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run procflow --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => writeOut(s), writeErr: (s) => process.stderr.write(s) });

  // The commands, in the order help lists them. A command line that names one defines only that one
  // (commander's set-up of them all is ~1 ms of every run's start); anything else, all of them.
  const commands: Record<string, () => void> = {};
  commands.validate = () =>
    program
      .command("validate")
      .description("check job files without running anything")
      .argument("<file...>", "job files")
      .addOption(
        new Option("--format <format>", "output format").choices(["text", "json", "github"]).default("text"),
      )
      .option("--strict", "warnings count as errors")
      .option("--no-color", "no colours")
      .action(
        async (
          files: string[],
          opts: { format: "text" | "json" | "github"; strict?: boolean; color?: boolean },
        ) => {
          const { validateFiles } = await import("./validate.js");
          code = await validateFiles(files, { ...opts, color: colorEnabled(process.stdout, opts.color) });
        },
      );

  commands.schema = () =>
    program
      .command("schema")
      .description("print the JSON Schema of job files")
      .action(async () => {
        const { schemaText } = await import("../load/schema.js");
        writeOut(schemaText());
      });

  commands.graph = () =>
    program
      .command("graph")
      .description("print the job graph")
      .argument("<file>", "job file")
      .addOption(
        new Option("--format <format>", "output format")
          .choices(["mermaid", "dot", "json"])
          .default("mermaid"),
      )
      .action(async (file: string, opts: { format: "mermaid" | "dot" | "json" }) => {
        const { graphFile } = await import("./validate.js");
        code = await graphFile(file, opts.format, colorEnabled(process.stderr, undefined));
      });

  commands.export = () =>
    program
      .command("export")
      .description("write the job graph as a workflow for another engine (Argo Workflows)")
      .argument("<file>", "job file")
      .addOption(new Option("--to <engine>", "target engine").choices(["argo"]).makeOptionMandatory())
      .option("--image <image>", "container image every job runs in", "node:20-slim")
      .option("--workdir <dir>", "the job file's folder inside the container", "/work")
      .action(async (file: string, opts: { to: "argo"; image: string; workdir: string }) => {
        const { exportFile } = await import("./export.js");
        code = await exportFile(file, opts, colorEnabled(process.stderr, undefined));
      });

  commands.run = () =>
    program
      .command("run")
      .description("run a job file, or only the named jobs and what they need")
      .argument("<file>", "job file")
      .argument("[job...]", "jobs to run (with what they need)")
      .option(
        "-c, --concurrency <n>",
        "most non-daemon jobs at once (over the file's concurrency)",
        positiveInt,
      )
      .addOption(
        new Option(
          "-o, --output <mode>",
          "output mode (default: tui on a terminal, github under GitHub Actions, lines otherwise)",
        ).choices(["tui", "lines", "grouped", "json", "quiet", "github"]),
      )
      .addOption(
        new Option("--keep-going", "keep running every job that does not depend on a failure").conflicts(
          "failFast",
        ),
      )
      .option("--fail-fast", "stop every running job at the first failure")
      .option("--dry-run", "print the plan and start nothing")
      .option("--log-dir <dir>", "write each job's output to <dir>/<job>.log, and run.json")
      .option("--junit <file>", "write a JUnit XML report")
      .option(
        "--rerun-failed <run.json>",
        "run only what did not succeed in that run (from --log-dir), what needs it and the daemons it needs",
      )
      .option("--env <KEY=VALUE>", "environment for every job, over the file's (repeatable)", collectEnv, {})
      .option("--timeout <duration>", "limit for the whole run")
      .option("--detach", "keep running when the process that started procflow exits (npm, a script)")
      .option("--keep-alive", "keep running when the work is done, until `procflow ctl end` or an interrupt")
      .option("--watch", "restart jobs when the files their `watch` names change (implies --keep-alive)")
      .option("--no-control", "open no control endpoint (procflow ps / ctl cannot reach this run)")
      .option("--ui", "serve the live web view on 127.0.0.1 (its URL is printed on stderr)")
      .option("--ui-port <port>", "the web view's port (implies --ui; 0: a free one)", port)
      .option("--force", "run every job, even one whose result is cached (results are still stored)")
      .option("--force-job <job>", "run this job even when its result is cached (repeatable)", collect, [])
      .option("--no-cache", "neither read nor write the cache of jobs with inputs")
      .option(
        "--cache-dir <dir>",
        "the cache folder (default: $PROCFLOW_CACHE_DIR, else .procflow/cache beside the file)",
      )
      .option("--no-color", "no colours")
      .action(async (file: string, jobs: string[], opts: RunFlags) => {
        const { runCommand } = await import("./run.js");
        code = await runCommand(file, jobs, opts, start ?? { runId: newRunId(), cgroup: null, taken: false });
      });

  commands.cache = () => {
    const cache = program
      .command("cache")
      .description("the cache of jobs with inputs: info, clean, prune")
      .option(
        "--cache-dir <dir>",
        "the cache folder (default: $PROCFLOW_CACHE_DIR, else .procflow/cache beside the file)",
      );
    const cacheAct = async (verb: "info" | "clean" | "prune", file: string | undefined, opts: object) => {
      const { cacheCommand } = await import("./cache.js");
      code = await cacheCommand(verb, file, { ...(cache.opts() as { cacheDir?: string }), ...opts });
    };
    cache
      .command("info")
      .description("the cache's folder, entries and size")
      .argument("[file]", "job file (its cache is beside it)")
      .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
      .action((file: string | undefined, opts: object) => cacheAct("info", file, opts));
    cache
      .command("clean")
      .description("remove every entry")
      .argument("[file]", "job file (its cache is beside it)")
      .action((file: string | undefined) => cacheAct("clean", file, {}));
    cache
      .command("prune")
      .description("remove the least recently used entries until the cache fits")
      .argument("[file]", "job file (its cache is beside it)")
      .requiredOption("--max-size <size>", "the size to fit in, e.g. 500MB")
      .action((file: string | undefined, opts: object) => cacheAct("prune", file, opts));
  };

  const io = () => ({
    out: (t: string) => void writeOut(t),
    err: (t: string) => void process.stderr.write(t),
    colors: colors(colorEnabled(process.stdout, undefined)),
  });
  const formatOption = () =>
    new Option("--format <format>", "output format").choices(["text", "json"]).default("text");

  commands.ps = () =>
    program
      .command("ps")
      .description("list your live runs")
      .addOption(formatOption())
      .action(async (opts: { format: "text" | "json" }) => {
        const { ps } = await import("../control/client.js");
        code = await ps(opts.format, io());
      });

  commands.ctl = () => {
    const ctl = program
      .command("ctl")
      .description("control a live run: status, logs, restart, stop, start, end")
      .option(
        "--run <id>",
        "the run (a unique prefix of its id); default: the only live run, or the one of this folder",
      );
    const runOf = () => (ctl.opts() as { run?: string }).run;
    const act = async (action: import("../control/client.js").CtlAction) => {
      const client = await import("../control/client.js");
      code = await client.ctl(runOf(), action, io());
    };
    ctl
      .command("status")
      .description("each job's state, pid, attempt and duration")
      .addOption(formatOption())
      .action((opts: { format: "text" | "json" }) => act({ verb: "status", format: opts.format }));
    ctl
      .command("logs")
      .description("the last output lines of a job (stderr lines marked with !)")
      .argument("<job>", "job or instance name")
      .option("-n, --lines <n>", "how many lines", positiveInt, 100)
      .option("-f, --follow", "keep printing new lines until the job ends")
      .action((job: string, opts: { lines: number; follow?: boolean }) =>
        act({ verb: "logs", job, lines: opts.lines, follow: opts.follow ?? false }),
      );
    ctl
      .command("restart")
      .description("stop jobs (their whole process group) and start them again")
      .argument("<job...>", "job or instance names")
      .option("--with-dependents", "also restart what needs them, once they are back")
      .action((jobs: string[], opts: { withDependents?: boolean }) =>
        act({ verb: "restart", jobs, withDependents: opts.withDependents ?? false }),
      );
    for (const verb of ["stop", "start"] as const)
      ctl
        .command(verb)
        .description(
          verb === "stop"
            ? "stop jobs (they end as stopped)"
            : "start jobs that are not running, when their needs hold",
        )
        .argument("<job...>", "job or instance names")
        .action((jobs: string[]) => act({ verb, jobs }));
    ctl
      .command("end")
      .description("end the run as if its work were done")
      .action(() => act({ verb: "end" }));
  };

  commands.ui = () =>
    program
      .command("ui")
      .description("serve the web view of a live run started without --ui")
      .option(
        "--run <id>",
        "the run (a unique prefix of its id); default: the only live run, or the one of this folder",
      )
      .option("--ui-port <port>", "the port (default: a free one)", port)
      .action(async (opts: { run?: string; uiPort?: number }) => {
        const { attachUi } = await import("../web/attach.js");
        code = await attachUi(opts.run, opts.uiPort);
      });

  commands.report = () =>
    program
      .command("report")
      .description("write a run's run.json (from --log-dir) as one self-contained HTML page")
      .argument("<run.json>", "the run's events, as --log-dir writes them")
      .option("-o, --output <file>", "the HTML file to write", "report.html")
      .action(async (file: string, opts: { output: string }) => {
        const { writeReport } = await import("../web/report.js");
        code = await writeReport(file, opts.output);
      });

  const only = argv[0] !== undefined && Object.hasOwn(commands, argv[0]) ? commands[argv[0]] : undefined;
  for (const define of only ? [only] : Object.values(commands)) define();

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    await abandonRun(start);
    // Help asked for (--help, help, --version) is exit 0; help shown for a missing command, 2.
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : ExitCode.usage;
    throw e;
  }
  await abandonRun(start);
  return code;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer.");
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError("expected a port (0-65535).");
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function collectEnv(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError("expected KEY=VALUE.");
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}
