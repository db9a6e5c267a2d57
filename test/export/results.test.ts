// Results between jobs in an Argo export (SPEC §14): `if` → `when`, results read by other jobs →
// output parameters handed on as task arguments, a fromJSON(result) matrix → withParam; the rest is
// reported at its line. The wrapper that splits PROCFLOW_RESULT runs here for real, as a pod would.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cli, tempDir } from "../rig.js";

interface Wf {
  spec: {
    templates: {
      name: string;
      dag?: { tasks: Record<string, unknown>[] };
      inputs?: { parameters: { name: string }[] };
      outputs?: { parameters: { name: string; valueFrom: { path: string } }[] };
      container?: { command: string[]; args?: string[] };
    }[];
  };
}

const file = `version: 1
jobs:
  plan:
    command: [./plan.sh]
  work:
    needs: [plan]
    matrix: { shard: "\${{ fromJSON(needs.plan.result.shards) }}" }
    command: [./work.sh, "\${{ matrix.shard }}", "\${{ needs.plan.result.mode }}"]
  publish:
    needs: [plan, work]
    if: needs.plan.result.coverage >= 80 && needs.work.ok
    command: [echo, publish]
  odd:
    needs: [plan]
    if: contains(needs.plan.result.mode, 'x')
    command: [echo, "\${{ toJSON(needs.plan.result) }}"]
`;

describe("export --to argo of results", () => {
  it("maps if, result reads and a dynamic matrix, and reports what it cannot map at its line", async () => {
    const dir = tempDir({ "jobs.yaml": file });
    const r = await cli(["export", "--to", "argo", "jobs.yaml"], { cwd: dir });
    const wf = parse(r.stdout) as Wf;
    const byName = new Map(wf.spec.templates.map((t) => [t.name, t]));
    const tasks = new Map(byName.get("main")!.dag!.tasks.map((t) => [t.name as string, t]));
    expect(tasks.get("work")).toMatchObject({
      withParam: "{{tasks.plan.outputs.parameters.shards}}",
      arguments: {
        parameters: [
          { name: "shard", value: "{{item}}" },
          { name: "plan-mode", value: "{{tasks.plan.outputs.parameters.mode}}" },
        ],
      },
    });
    expect(byName.get("work")!.container!.args).toEqual([
      "{{inputs.parameters.shard}}",
      "{{inputs.parameters.plan-mode}}",
    ]);
    expect(tasks.get("publish")!.when).toBe(
      "(({{tasks.plan.outputs.parameters.coverage}} >= 80) && ('{{tasks.work.status}}' == 'Succeeded'))",
    );
    expect(tasks.get("odd")).not.toHaveProperty("when");
    expect(
      byName
        .get("plan")!
        .outputs!.parameters.map((p) => p.name)
        .sort(),
    ).toEqual(["coverage", "mode", "shards"]);
    expect(r.stderr).toContain(
      "jobs.yaml:15:9: warning: job odd: if is not mapped to Argo's when: contains()",
    );
    expect(r.stderr).toContain(
      "job odd: ${{ toJSON(needs.plan.result) }} reads results in a way Argo cannot",
    );
    // Mapped, but Argo splices the result into when and compares strings case-sensitively: said so.
    expect(r.stderr).toMatch(/warning: job publish: if reads a result: Argo's when splices/);
  });

  it("the producer's wrapper writes each key of PROCFLOW_RESULT to its output file and keeps the exit code", async () => {
    const dir = tempDir({ "jobs.yaml": file });
    const r = await cli(["export", "--to", "argo", "jobs.yaml"], { cwd: dir });
    const plan = (parse(r.stdout) as Wf).spec.templates.find((t) => t.name === "plan")!;
    const [shell, ...args] = [...plan.container!.command, ...plan.container!.args!];
    // Kubernetes turns $$ back into $; the output folder is moved into the temp dir for the test.
    const out = join(dir, "out");
    const script = args[1]!.replaceAll("$$", "$").replaceAll("/tmp/procflow-results", out);
    const job = `printf 'shards=["a","b"]\\nmode=fast\\nnotes<<EOF\\none\\n\\nthree\\nEOF\\n' >> "$PROCFLOW_RESULT"; exit 3`;
    const run = spawnSync(shell!, [args[0]!, script, args[2]!, "sh", "-c", job]);
    expect(run.status).toBe(3);
    expect(readdirSync(out).sort()).toEqual(["mode", "notes", "shards"]);
    expect(readFileSync(join(out, "shards"), "utf8")).toBe('["a","b"]');
    expect(readFileSync(join(out, "notes"), "utf8")).toBe("one\n\nthree");
  });
});
