// `procflow export --to argo` through the real CLI: the written workflow, read back as YAML. Whether
// Argo accepts each export and whether it runs the same jobs is test/export/'s part.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cli, FIXTURES, tempDir } from "../rig.js";

interface Task {
  name: string;
  template: string;
  depends?: string;
  withItems?: Record<string, unknown>[];
  arguments?: { parameters: { name: string; value: string }[] };
  continueOn?: unknown;
}

interface Template {
  name: string;
  daemon?: boolean;
  inputs?: { parameters: { name: string }[] };
  activeDeadlineSeconds?: number;
  retryStrategy?: { limit: number; retryPolicy: string; backoff: Record<string, unknown> };
  podSpecPatch?: string;
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
    env: { TARGET: "\${{ matrix.os }}-\${{ matrix.node }}", URL: "http://localhost:\${{ env.PORT }}" }
    cwd: app
    timeout: 90s
    restart: on-failure
    max_restarts: 2
    needs: { db: started }
  test:
    command: ./test.sh --run \${{ run.id }}
    needs: [build_app, db]
  notify:
    command: [sh, -c, "echo failed"]
    needs: { test: failure }
  cleanup:
    command: echo bye
    needs: { notify: always }
`;

async function exported(yaml: string, args: string[] = []) {
  const dir = tempDir({ "jobs.yaml": yaml });
  return cli(["export", "--to", "argo", "jobs.yaml", ...args], { cwd: dir });
}

/** Exports a fixture of test/fixtures/argo/; the workflow's templates and DAG tasks by name. */
async function fixture(name: string, args: string[] = []) {
  const r = await cli(["export", "--to", "argo", `${name}.yaml`, ...args], { cwd: join(FIXTURES, "argo") });
  const wf = r.code === 0 ? parse(r.stdout) : null;
  const templates = new Map<string, Template>((wf?.spec.templates ?? []).map((t: Template) => [t.name, t]));
  const tasks = new Map((templates.get("main")?.dag?.tasks ?? []).map((t) => [t.name, t]));
  return { ...r, wf, templates, tasks };
}

const ENDED = (t: string) =>
  `(${t}.Succeeded || ${t}.Failed || ${t}.Errored || ${t}.Skipped || ${t}.Omitted)`;

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
      spec: { entrypoint: "main" },
    });
    const templates = new Map<string, Template>(wf.spec.templates.map((t: Template) => [t.name, t]));
    const tasks = new Map(templates.get("main")!.dag!.tasks.map((t) => [t.name, t]));
    expect([...tasks.keys()]).toEqual(["db", "build-app", "test", "notify", "cleanup", "procflow-verdict"]);
    for (const t of tasks.values()) expect(templates.has(t.template)).toBe(true);

    expect(tasks.get("db")!.depends).toBeUndefined();
    expect(tasks.get("build-app")!.depends).toBe("(db.Daemoned || db.Succeeded)");
    expect(tasks.get("test")!.depends).toBe("build-app.Succeeded && (db.Daemoned || db.Succeeded)");
    expect(tasks.get("notify")!.depends).toBe("(test.Failed || test.Errored)");
    expect(tasks.get("cleanup")!.depends).toBe(ENDED("notify"));

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
      URL: "http://localhost:8080",
      PROCFLOW_MATRIX_OS: "{{inputs.parameters.os}}",
      PROCFLOW_RUN_ID: "{{workflow.uid}}",
      PROCFLOW_JOB: "build_app[os={{inputs.parameters.os}},node={{inputs.parameters.node}}]",
      PROCFLOW_FILE: "/work/jobs.yaml",
    });

    const db = templates.get("db")!;
    expect(db.daemon).toBe(true);
    expect(db.container!.args).toEqual(["-p", "8080"]);
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

  it("reports an invalid file like validate does, and requires --to", async () => {
    const bad = await exported("version: 1\njobs:\n  a: { command: echo, needs: [nope] }\n");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/jobs\.yaml:3:\d+: error: .*no job named "nope"/);
    const dir = tempDir({ "jobs.yaml": file });
    const missing = await cli(["export", "jobs.yaml"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--to <engine>");
  });

  it("points at the line of what it cannot export the same way, once per env_file", async () => {
    const r = await exported(`version: 1
env_file: .env
jobs:
  svc:
    command: sleep 100
    daemon: true
    ready: { log: listening }
  work:
    command: [echo, "{{workflow.name}}", "{{.Names}}"]
    needs: { svc: started }
    success_codes: [0, 3]
  after:
    command: echo after
    needs: { work: started }
`);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "jobs.yaml:7:12: warning: job svc: the ready probe is left out: a log probe has no Kubernetes equivalent",
    );
    expect(r.stderr).toContain("warning: job work: {{workflow.name}} is filled in by Argo");
    expect(r.stderr).not.toContain("{{.Names}} is filled in");
    expect(r.stderr).toContain("jobs.yaml:11:20: warning: job work: success_codes has no Argo equivalent");
    expect(r.stderr).toContain(
      "jobs.yaml:14:12: warning: job after: needs work: started waits until work has ended",
    );
    expect(r.stderr.match(/warning: env_file \.env is not exported/g)).toHaveLength(1);
  });
});

describe("the mapping bugs of issue 22", () => {
  it("1: allow_failure is expressed through depends, never continueOn, and does not decide the run", async () => {
    const { code, tasks, templates } = await fixture("allow-failure");
    expect(code).toBe(0);
    for (const t of tasks.values()) expect(t.continueOn).toBeUndefined();
    expect(tasks.get("opt")!.depends).toBe(ENDED("a"));
    expect(tasks.get("after")!.depends).toBe("(opt.Succeeded || opt.Failed || opt.Errored)");
    // The verdict, the only leaf, runs (and succeeds) unless a job without allow_failure failed.
    expect(tasks.get("procflow-verdict")!.depends).toBe(
      `!(a.Failed || a.Errored) && !(after.Failed || after.Errored) && ${ENDED("leaf-opt")}`,
    );
    expect(templates.get("procflow-verdict")!.container!.command).toEqual(["true"]);
  });

  it("2: names that begin with a digit or are words of Argo's expressions get job- in front", async () => {
    const { code, tasks } = await fixture("digit-names");
    expect(code).toBe(0);
    expect([...tasks.keys()]).toEqual(["job-1st-step", "job-2nd", "job-2nd-2", "job-in"]);
    expect(tasks.get("job-2nd")!.depends).toBe("job-1st-step.Succeeded");
    expect(tasks.get("job-2nd-2")!.depends).toBe("job-2nd.Succeeded");
    expect(tasks.get("job-in")!.depends).toBe("job-2nd-2.Succeeded");
  });

  it("3: always holds for a skipped (omitted) job too", async () => {
    const { tasks } = await fixture("handlers");
    expect(tasks.get("on-fail")!.depends).toBe("(test.Failed || test.Errored)");
    expect(tasks.get("cleanup")!.depends).toBe(`${ENDED("test")} && ${ENDED("on-fail")}`);
  });

  it("4: restart delays double up to a 30 s cap; nothing ends the retries early", async () => {
    const { templates, stderr } = await fixture("restarts");
    expect(templates.get("flaky")!.retryStrategy).toEqual({
      limit: 5,
      retryPolicy: "OnFailure",
      backoff: { duration: "1s", factor: 2, cap: "30s" },
    });
    expect(templates.get("flaky")!.activeDeadlineSeconds).toBe(90);
    expect(templates.get("quick")!.retryStrategy!.backoff.duration).toBe("250ms");
    expect(templates.get("again")!.retryStrategy!.retryPolicy).toBe("Always");
    expect(stderr).toContain(
      "restarts.yaml:6:40: warning: job again: restart: always becomes Argo's retryPolicy Always, which runs a job again only when it failed",
    );
  });

  it("5: parallelism leaves the concurrency's slots free of the daemons that Argo counts", async () => {
    const { wf } = await fixture("daemon-concurrency");
    // concurrency 1 + db + 2 instances of cache.
    expect(wf.spec.parallelism).toBe(4);
  });

  it("6: a probe port from the matrix goes into podSpecPatch as a number", async () => {
    const { templates, stderr } = await fixture("matrix-ports");
    expect(stderr).toBe("");
    const server = templates.get("server")!;
    expect(server.container!.readinessProbe).toBeUndefined();
    expect(server.podSpecPatch).toBe(
      '{"containers":[{"name":"main",' +
        '"readinessProbe":{"tcpSocket":{"port":{{inputs.parameters.port}}},"periodSeconds":1,"timeoutSeconds":5},' +
        '"livenessProbe":{"httpGet":{"path":"/health?port={{inputs.parameters.port}}","port":{{inputs.parameters.port}}},"periodSeconds":5,"timeoutSeconds":5,"failureThreshold":3}}]}',
    );
  });

  it("7: a literal $ is written $$ for Kubernetes; the file's variables are filled in", async () => {
    const { templates, stderr } = await fixture("dollars");
    expect(stderr).toBe("");
    const say = templates.get("say")!.container!;
    expect(say.args).toEqual(["$$(GREETING)", "a$$$$b", "$$", "x$$", "hello", "5$$"]);
    const env = Object.fromEntries(say.env.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ PRICE: "5$$", RAW: "$$(GREETING) $$$$HOME", PLAIN: "5$$" });
    expect(templates.get("script")!.container!.args![1]).toBe(
      'echo "pid $$$$, home $$HOME, $$(date +%Y), `id -u`" && exit 0',
    );
    expect(templates.get("run-id")!.container!.args).toEqual(["{{workflow.uid}}", "run_id"]);
  });

  it("7: a variable from procflow's own environment becomes $(NAME), reported once", async () => {
    const dir = tempDir({
      "b.env": "FROM_FILE=1\n",
      "jobs.yaml": `version: 1
jobs:
  a:
    command: [echo, "\${{ env.OUTER }}"]
    env: { HOME_DIR: "\${{ env.OUTER }}/x" }
  b:
    command: [echo, "\${{ env.OUTER }}"]
    env_file: b.env
  c:
    command: [echo, "\${{ env.FROM_FILE }}"]
    env_file: b.env
`,
    });
    const r = await cli(["export", "--to", "argo", "jobs.yaml"], { cwd: dir });
    expect(r.code).toBe(0);
    const templates = parse(r.stdout).spec.templates as Template[];
    expect(templates[1]!.container!.args).toEqual(["$(OUTER)"]);
    expect(templates[1]!.container!.env[0]).toEqual({ name: "HOME_DIR", value: "$(OUTER)/x" });
    expect(templates[3]!.container!.args).toEqual(["$(FROM_FILE)"]);
    expect(r.stderr.match(/warning: \$\{\{ env\.OUTER \}\} has no value in the Workflow/g)).toHaveLength(1);
    expect(r.stderr).toContain("jobs.yaml:5:10: warning: ${{ env.OUTER }} has no value in the Workflow");
    expect(r.stderr).not.toContain("FROM_FILE }} has no value");
  });
});

describe("target jobs", () => {
  it("run procflow's bootstrap with the module under --workdir, the export and the args", async () => {
    const r = await cli(["export", "--to", "argo", "processes.yaml", "--workdir", "/src"], {
      cwd: new URL("../../jobs/", import.meta.url).pathname,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const templates = new Map<string, Template>(
      parse(r.stdout).spec.templates.map((t: Template) => [t.name, t]),
    );
    const args = templates.get("args")!.container!;
    expect(args.command).toEqual(["node"]);
    expect(args.args![0]).toBe("-e");
    expect(args.args![1]).toContain('require.resolve("procflow"');
    expect(args.args!.slice(2)).toEqual(["/src/tasks/processes.mjs", "greet", '["procflow",2]']);
    expect(args.workingDir).toBe("/src");
  });

  it("a daemon target keeps running after its function returns; $ in its args is escaped", async () => {
    const dir = tempDir({
      "jobs.yaml": `version: 1
jobs:
  svc: { target: ./lib/svc.mjs#serve, args: [{ price: "5$" }], daemon: true }
`,
    });
    const r = await cli(["export", "--to", "argo", "jobs.yaml"], { cwd: dir });
    expect(r.code).toBe(0);
    const svc = (parse(r.stdout).spec.templates as Template[])[1]!.container!;
    expect(svc.args!.slice(2)).toEqual(["/work/lib/svc.mjs", "serve", '[{"price":"5$$"}]', "daemon"]);
  });
});
