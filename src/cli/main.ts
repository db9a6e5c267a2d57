// procflow's command line: argv → options → one pipeline call per command. Only this module sets the exit code.
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ExitCode } from "../exit-codes.js";
import { packageVersion } from "../paths.js";
import { colorEnabled, colors } from "./color.js";
import { writeOut } from "./output.js";
import type { RunFlags } from "./run.js";

export async function main(argv: string[]): Promise<number> {
  let code: number = ExitCode.ok;
  const program = new Command("procflow")
    .description("Declarative job-graph runner: run the processes of a YAML job file in dependency order.")
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run procflow --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => writeOut(s), writeErr: (s) => process.stderr.write(s) });

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

  program
    .command("schema")
    .description("print the JSON Schema of job files")
    .action(async () => {
      const { schemaText } = await import("../load/schema.js");
      writeOut(schemaText());
    });

  program
    .command("graph")
    .description("print the job graph")
    .argument("<file>", "job file")
    .addOption(
      new Option("--format <format>", "output format").choices(["mermaid", "dot", "json"]).default("mermaid"),
    )
    .action(async (file: string, opts: { format: "mermaid" | "dot" | "json" }) => {
      const { graphFile } = await import("./validate.js");
      code = await graphFile(file, opts.format, colorEnabled(process.stderr, undefined));
    });

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
      new Option("-o, --output <mode>", "output mode (default: tui on a terminal, lines otherwise)").choices([
        "tui",
        "lines",
        "grouped",
        "json",
        "quiet",
      ]),
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
    .option("--env <KEY=VALUE>", "environment for every job, over the file's (repeatable)", collectEnv, {})
    .option("--timeout <duration>", "limit for the whole run")
    .option("--detach", "keep running when the process that started procflow exits (npm, a script)")
    .option("--keep-alive", "keep running when the work is done, until `procflow ctl end` or an interrupt")
    .option("--watch", "restart jobs when the files their `watch` names change (implies --keep-alive)")
    .option("--no-control", "open no control endpoint (procflow ps / ctl cannot reach this run)")
    .option("--no-color", "no colours")
    .action(async (file: string, jobs: string[], opts: RunFlags) => {
      const { runCommand } = await import("./run.js");
      code = await runCommand(file, jobs, opts);
    });

  const io = () => ({
    out: (t: string) => void writeOut(t),
    err: (t: string) => void process.stderr.write(t),
    colors: colors(colorEnabled(process.stdout, undefined)),
  });
  const formatOption = () =>
    new Option("--format <format>", "output format").choices(["text", "json"]).default("text");

  program
    .command("ps")
    .description("list your live runs")
    .addOption(formatOption())
    .action(async (opts: { format: "text" | "json" }) => {
      const { ps } = await import("../control/client.js");
      code = await ps(opts.format, io());
    });

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

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === "commander.helpDisplayed" ||
        e.code === "commander.version" ||
        e.code === "commander.help"
      )
        return 0;
      return ExitCode.usage;
    }
    throw e;
  }
  return code;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer.");
  return n;
}

function collectEnv(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError("expected KEY=VALUE.");
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}
