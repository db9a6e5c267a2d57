// `procflow export --to argo` through the real CLI: the written workflow, read back as YAML.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cli, tempDir } from "../rig.js";

interface Task {
  name: string;
  template: string;
  depends?: string;
  withItems?: Record<string, unknown>[];
  arguments?: { parameters: { name: string; value: string }[] };
  continueOn?: { failed: boolean };
}

interface Template {
  name: string;
  daemon?: boolean;
  inputs?: { parameters: { name: string }[] };
  activeDeadlineSeconds?: number;
  retryStrategy?: { limit: number; retryPolicy: string };
  dag?: { tasks: Task[] };
  container?: {
    image: string;
    command: string[];
    args?: string[];
    workingDir: string;
    env: { name: string; value: string }[];
    readinessProbe?: Record<string, unknown>;
    livenessProbe?: Record<string, unknown>;
  };
}

const file = `version: 1
name: Release Pipeline
concurrency: 3
env: { PORT: "8080" }
jobs:
  db:
    command: [postgres, -p, "\${{ env.PORT }}"]
    daemon: true
    ready: { tcp: "\${{ env.PORT }}", interval: 2s }
    health: { http: "http://127.0.0.1:\${{ env.PORT }}/health?deep=1", retries: 4 }
  build_app:
    matrix: { os: [linux, mac], node: [20, 22] }
    command: [make, "build-\${{ matrix.os }}"]
    args: ["--node=\${{ matrix.node }}"]
    env: { TARGET: "\${{ matrix.os }}-\${{ matrix.node }}", HOME_DIR: "\${{ env.HOME }}" }
    cwd: app
    timeout: 90s
    restart: on-failure
    max_restarts: 2
    needs: { db: started }
  test:
    command: ./test.sh --run \${{ run.id }}
    needs: [build_app, db]
    allow_failure: true
  notify:
    command: [sh, -c, "echo failed"]
    needs: { test: failure }
  cleanup:
    command: echo bye
    needs: { notify: always }
`;

async function exported(yaml: string, args: string[] = []) {
  const dir = tempDir({ "jobs.yaml": yaml });
  const r = await cli(["export", "--to", "argo", "jobs.yaml", ...args], { cwd: dir });
  return r;
}

describe("procflow export --to argo", () => {
  it("writes a Workflow: tasks, depends per condition, daemon, matrix as withItems, probes", async () => {
    const r = await exported(file, ["--image", "example/ci:1"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const wf = parse(r.stdout);
    expect(wf).toMatchObject({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Workflow",
      metadata: { generateName: "release-pipeline-" },
      spec: { entrypoint: "main", parallelism: 3 },
    });
    const templates = new Map<string, Template>(wf.spec.templates.map((t: Template) => [t.name, t]));
    const tasks = new Map(templates.get("main")!.dag!.tasks.map((t) => [t.name, t]));
    expect([...tasks.keys()]).toEqual(["db", "build-app", "test", "notify", "cleanup"]);
    for (const t of tasks.values()) expect(templates.has(t.template)).toBe(true);

    expect(tasks.get("db")!.depends).toBeUndefined();
    expect(tasks.get("build-app")!.depends).toBe("db");
    expect(tasks.get("test")!.depends).toBe("build-app.Succeeded && db");
    expect(tasks.get("test")!.continueOn).toEqual({ failed: true });
    expect(tasks.get("notify")!.depends).toBe("test.Failed");
    expect(tasks.get("cleanup")!.depends).toBe("(notify.Succeeded || notify.Failed || notify.Errored)");

    const build = tasks.get("build-app")!;
    expect(build.withItems).toEqual([
      { os: "linux", node: 20 },
      { os: "linux", node: 22 },
      { os: "mac", node: 20 },
      { os: "mac", node: 22 },
    ]);
    expect(build.arguments!.parameters).toEqual([
      { name: "os", value: "{{item.os}}" },
      { name: "node", value: "{{item.node}}" },
    ]);
    const bt = templates.get("build-app")!;
    expect(bt.inputs!.parameters).toEqual([{ name: "os" }, { name: "node" }]);
    expect(bt.activeDeadlineSeconds).toBe(90);
    expect(bt.retryStrategy).toMatchObject({ limit: 2, retryPolicy: "OnFailure" });
    expect(bt.container).toMatchObject({
      image: "example/ci:1",
      command: ["make"],
      args: ["build-{{inputs.parameters.os}}", "--node={{inputs.parameters.node}}"],
      workingDir: "/work/app",
    });
    const env = Object.fromEntries(bt.container!.env.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      TARGET: "{{inputs.parameters.os}}-{{inputs.parameters.node}}",
      HOME_DIR: "$(HOME)",
      PROCFLOW_MATRIX_OS: "{{inputs.parameters.os}}",
      PROCFLOW_RUN_ID: "{{workflow.uid}}",
      PROCFLOW_JOB: "build_app[os={{inputs.parameters.os}},node={{inputs.parameters.node}}]",
    });

    const db = templates.get("db")!;
    expect(db.daemon).toBe(true);
    expect(db.container!.args).toEqual(["-p", "$(PORT)"]);
    expect(db.container!.readinessProbe).toEqual({
      tcpSocket: { port: 8080 },
      periodSeconds: 2,
      timeoutSeconds: 5,
    });
    expect(db.container!.livenessProbe).toMatchObject({
      httpGet: { path: "/health?deep=1", port: 8080 },
      failureThreshold: 4,
    });
    expect(templates.get("test")!.container!.args).toEqual(["--run", "{{workflow.uid}}"]);
  });

  it("gives unique DNS-safe task names, never the DAG's own", async () => {
    const r = await exported(`version: 1
jobs:
  Main: { command: "true" }
  a_b: { command: "true" }
  a-b: { command: "true", needs: [a_b] }
`);
    expect(r.code).toBe(0);
    const tasks = parse(r.stdout).spec.templates[0].dag.tasks as Task[];
    expect(tasks.map((t) => t.name)).toEqual(["main-2", "a-b", "a-b-2"]);
    expect(tasks[2]!.depends).toBe("a-b.Succeeded");
  });

  it("points at the line of what cannot be exported: a target is an error, a log probe a warning", async () => {
    const r = await exported(`version: 1
env_file: .env
jobs:
  svc:
    command: sleep 100
    daemon: true
    ready: { log: listening }
  work:
    target: ./tasks.mjs#run
    needs: [svc]
`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      "jobs.yaml:7:12: warning: job svc: a log ready probe has no Kubernetes equivalent and is left out",
    );
    expect(r.stderr).toContain(
      "jobs.yaml:9:13: error: job work: a target cannot be exported yet; use a command",
    );
    expect(r.stderr.match(/warning: env_file \.env is not exported/g)).toHaveLength(1);
  });

  it("reports an invalid file like validate does, and requires --to", async () => {
    const bad = await exported("version: 1\njobs:\n  a: { command: echo, needs: [nope] }\n");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/jobs\.yaml:3:\d+: error: .*no job named "nope"/);
    const dir = tempDir({ "jobs.yaml": file });
    const missing = await cli(["export", "jobs.yaml"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--to <engine>");
  });
});
