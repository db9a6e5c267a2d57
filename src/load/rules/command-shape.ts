// A command must name a program; `shell` takes a string command; a command's args are scalars.
import { findExpressions } from "../expressions.js";
import type { Path } from "../parse.js";
import { splitWords } from "../words.js";
import type { Rule } from "./rule.js";

const PROBES = ["ready", "health"] as const;

/** The path of a job's command, built only to report it (most commands are fine). */
const commandPath = (name: string): Path => ["jobs", name, "command"];

export const commandShape: Rule = (ctx) => {
  const shellDefault = ctx.file.defaults?.shell;
  for (const { name, job } of ctx.jobs) {
    for (const kind of PROBES) {
      const probeCommand = job[kind]?.command;
      if (typeof probeCommand !== "string") continue;
      const split = splitWords(probeCommand);
      if (!split.ok)
        ctx.report(
          ["jobs", name, kind, "command"],
          "shell-operator",
          `jobs.${name}.${kind}.command: ${split.problem}, but no shell runs a probe command; write it as a list, e.g. [sh, -c, "…"]`,
          { offset: split.index },
        );
    }
    const { command } = job;
    if (command === undefined) continue;
    const shell = job.shell ?? shellDefault;
    const emptyString = typeof command === "string" && command.trim() === "";
    const emptyProgram = Array.isArray(command) && (command.length === 0 || command[0] === "");
    if (emptyString || emptyProgram)
      ctx.report(commandPath(name), "command-empty", `jobs.${name}.command: is empty; name a program to run`);
    else if (Array.isArray(command) && shell && job.shell !== undefined)
      ctx.report(
        ["jobs", name, "shell"],
        "shell-list",
        `jobs.${name}.shell: a shell runs a string command; write the command as one string, or drop "shell" to run the list as argv`,
        { key: true },
      );
    else if (typeof command === "string" && shell) {
      const expression = findExpressions(command)[0];
      if (expression)
        ctx.report(
          commandPath(name),
          "shell-expression",
          `jobs.${name}.command: ${expression.text} is not substituted in a shell command (a value could inject shell code); use the environment instead, e.g. "$PROCFLOW_MATRIX_<KEY>", or a command list`,
          { offset: expression.index },
        );
    } else if (typeof command === "string") {
      const split = splitWords(command);
      if (!split.ok)
        ctx.report(
          commandPath(name),
          "shell-operator",
          `jobs.${name}.command: ${split.problem}, but no shell runs this command; add "shell: true", or write the command as a list`,
          { offset: split.index },
        );
      else
        for (const w of split.warnings)
          ctx.report(
            commandPath(name),
            "shell-variable",
            `jobs.${name}.command: ${w.text} is passed literally, since no shell runs this command; add "shell: true", or use \${{ env.NAME }}`,
            { offset: w.index, severity: "warning" },
          );
    }
    job.args?.forEach((arg, i) => {
      if (arg === null || typeof arg === "object")
        ctx.report(
          ["jobs", name, "args", i],
          "args-scalar",
          `jobs.${name}.args[${i}]: a command's arguments are strings, numbers or booleans (lists and maps are for targets)`,
        );
    });
  }
};
