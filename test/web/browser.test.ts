// The web view in a real browser (Debian's chromium, driven by playwright-core): the page of a live
// run with no network, live state changes, search, the restart button; a report file opened offline.
// Screenshots go to test-output/web/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatMs } from "../../src/web/page/model.js";
import { cli, type Event } from "../rig.js";
import { startRun, uiLine } from "./live.js";

const OUT = new URL("../../test-output/web/", import.meta.url).pathname;
const CHROMIUM = [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (p) => p && existsSync(p),
);
let browser: Browser;

beforeAll(async () => {
  if (!CHROMIUM)
    throw new Error("no Chromium found: install it (apt-get install -y chromium) or set CHROMIUM");
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});
afterAll(() => browser?.close());

/** A page whose requests may reach only `allowed` (every other one is aborted and listed). */
async function isolatedPage(
  allowed: (url: string) => boolean,
): Promise<{ page: Page; blocked: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 800 } });
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (allowed(url)) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { page, blocked, errors };
}

/** `procflow report` of `runJson` (in `dir`), opened offline in a page that may load only that file. */
async function openReport(dir: string, runJson = "logs/run.json") {
  const file = join(dir, "report.html");
  expect((await cli(["report", runJson, "-o", file], { cwd: dir })).code).toBe(0);
  const opened = await isolatedPage((u) => u === `file://${file}`);
  await opened.page.context().setOffline(true);
  await opened.page.goto(`file://${file}`);
  return opened;
}

const node = (page: Page, job: string) => page.locator(`g.node[data-job="${job}"]`);

const LIVE = `version: 1
jobs:
  svc:
    command: [sh, -c, "echo listening; exec sleep 300"]
    daemon: true
    ready: { log: listening }
  gate: { command: [sh, -c, "while [ ! -f go ]; do sleep 0.05; done; echo gate open"], needs: [svc] }
  noisy:
    command: [sh, -c, "i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); done; printf '\\\\033[31mneedle-red\\\\033[0m after\\\\n'"]
  after: { command: [echo, after], needs: [gate] }
`;

describe("the web view in Chromium", () => {
  it("shows a live run with no network: every job, state changes, search, restart, the summary", async () => {
    const run = startRun(LIVE, ["--ui", "--keep-alive"]);
    const { url, token, port } = await uiLine(run.stderr);
    const { page, blocked, errors } = await isolatedPage((u) => u.startsWith(`http://127.0.0.1:${port}/`));
    await page.goto(`${url}#${token}`);
    for (const job of ["svc", "gate", "noisy", "after"]) await node(page, job).waitFor();
    expect(await page.locator("g.node").count()).toBe(4);
    expect(await node(page, "svc").getAttribute("class")).toContain("daemon");

    // A state change arrives without a reload.
    await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
    await page.locator('g.node[data-job="gate"][data-state="running"]').waitFor();
    writeFileSync(join(run.dir, "go"), "");
    await page.locator('g.node[data-job="after"][data-state="succeeded"]').waitFor();
    expect(await node(page, "gate").getAttribute("data-state")).toBe("succeeded");
    expect(await page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument)).toBe(true);

    // Search finds the line; its ANSI colour is rendered.
    await page.locator('g.node[data-job="noisy"][data-state="succeeded"]').click();
    await page.getByLabel("search the output").fill("needle-red");
    await expect.poll(() => page.locator(".hits").textContent()).toBe("1 of 1");
    const found = page.locator(".line.current");
    await expect.poll(() => found.locator("mark").textContent()).toBe("needle-red");
    expect(
      await found
        .locator("span")
        .first()
        .evaluate(
          (e) =>
            (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(e)
              .color,
        ),
    ).toBe("rgb(204, 0, 0)");

    await node(page, "svc").click();
    await page.locator(".graph").screenshot({ path: join(OUT, "live-graph.png") });
    // The restart button makes a new attempt: in the page and in the event stream.
    await page.getByRole("button", { name: "Restart" }).click();
    await page.locator(".panel .attempts tbody tr").nth(1).waitFor();
    const second = await run.until((e) => e.type === "job:start" && e.job === "svc" && e.attempt === 2);
    const control = run.events.find((e) => e.type === "run:control");
    expect(control).toMatchObject({ verb: "restart", jobs: ["svc"] });
    expect(control!.seq).toBeLessThan(second.seq);
    await page.locator('g.node[data-job="svc"][data-state="ready"]').waitFor();

    await page.getByRole("button", { name: "End run" }).click();
    await page.locator("main[data-run-state=succeeded] .summary").waitFor();
    expect((await run.done).code).toBe(0);
    await page.screenshot({ path: join(OUT, "live.png") });
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("opens a report offline: the graph, every job's output (100,000 lines drawn in view only), the summary", async () => {
    const run = startRun(
      `version: 1
jobs:
  big: { command: [sh, -c, "seq 1 100000 | sed 's/^/row /'"] }
  colors: { command: [sh, -c, "printf '\\\\033[1;32mbold green\\\\033[0m plain\\\\n'"] }
  fails: { command: [sh, -c, "echo to stderr >&2; exit 3"], needs: [colors] }
  skipped: { command: [echo, never], needs: [fails] }
`,
      ["--log-dir", "logs"],
    );
    expect((await run.done).code).toBe(1);
    const { page, blocked, errors } = await openReport(run.dir);
    await page.locator("main[data-run-state=failed] .summary").waitFor();
    expect(await page.locator(".summary summary").textContent()).toContain("run failed · exit 1");
    for (const job of ["big", "colors", "fails", "skipped"]) await node(page, job).waitFor();
    const expected: Record<string, string> = { colors: "bold green plain", fails: "to stderr" };
    for (const [job, line] of Object.entries(expected)) {
      await node(page, job).click();
      await expect.poll(() => page.locator(".lines").textContent()).toContain(line);
    }
    expect(await page.locator(".line.err").count()).toBe(1);
    await node(page, "skipped").click();
    await expect
      .poll(() => page.locator(".facts").textContent())
      .toContain("needs fails: success, but fails failed");

    await node(page, "big").click();
    await expect.poll(() => page.locator(".hits").textContent()).toBe("100000 lines");
    expect(await page.locator(".line").count()).toBeLessThan(200);
    await page.locator(".lines").evaluate((e) => {
      e.scrollTop = e.scrollHeight;
    });
    await expect.poll(() => page.locator(".lines").textContent()).toContain("row 100000");
    await page.screenshot({ path: join(OUT, "report.png") });
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("shows a job that failed before it started, with its error, and the descriptions of the file and its jobs", async () => {
    const run = startRun(
      `version: 1
description: the nightly checks
jobs:
  bad: { command: [does-not-exist-xyz], description: a job whose program is missing }
  noenv: { command: [echo, never], env_file: missing.env }
  ok: { command: [echo, fine] }
`,
      ["--log-dir", "logs"],
    );
    expect((await run.done).code).toBe(1);
    // The descriptions come with run:start (optional fields: only those the file gives).
    const start = run.events.find((e) => e.type === "run:start")!;
    expect(start.description).toBe("the nightly checks");
    expect(start.descriptions).toEqual({ bad: "a job whose program is missing" });
    const { page, errors } = await openReport(run.dir);
    await page.locator("main[data-run-state=failed] .summary").waitFor();
    const row = (job: string) => page.locator(".summary tr", { hasText: job });
    expect(await row("bad").textContent()).toContain("failed (did not start)");
    expect(await row("bad").textContent()).toContain("command not found: does-not-exist-xyz");
    expect(await row("noenv").textContent()).toContain("failed (did not start)");
    expect(await row("noenv").textContent()).toMatch(/env_file .*missing\.env: no such file/);
    expect(await row("ok").textContent()).not.toContain("did not start");

    await node(page, "bad").click();
    await expect.poll(() => page.locator(".panel h2").textContent()).toContain("failed (did not start)");
    expect(await page.locator(".panel .facts").textContent()).toContain(
      "descriptiona job whose program is missing",
    );
    const attempt = page.locator(".panel .attempts tbody tr");
    expect(await attempt.count()).toBe(1);
    expect(await attempt.textContent()).toContain("failed (did not start)");
    expect(await attempt.locator(".error").textContent()).toBe("command not found: does-not-exist-xyz");
    expect(await page.locator("header").textContent()).toContain("the nightly checks");
    await node(page, "ok").click();
    await expect.poll(() => page.locator(".panel").getAttribute("data-job")).toBe("ok");
    expect(await page.locator(".panel .facts").textContent()).not.toContain("description");
    expect(errors).toEqual([]);
  });

  it("shows the instances a matrix built at run time became, with their output, instead of its placeholder", async () => {
    const run = startRun(
      `version: 1
jobs:
  plan: { command: [sh, -c, 'echo "ks=[\\"x\\",\\"y\\"]" >> "$PROCFLOW_RESULT"'] }
  w:
    needs: [plan]
    matrix: { k: "\${{ fromJSON(needs.plan.result.ks) }}" }
    command: [sh, -c, 'echo "hello from $PROCFLOW_MATRIX_K"']
  fan: { command: [echo, joined], needs: [w] }
`,
      ["--log-dir", "logs"],
    );
    expect((await run.done).code).toBe(0);
    const { page, errors } = await openReport(run.dir);
    await page.locator("main[data-run-state=succeeded] .summary").waitFor();
    expect(await node(page, "w[k=…]").count()).toBe(0);
    for (const k of ["x", "y"]) {
      expect(await page.locator(".summary tr", { hasText: `w[k=${k}]` }).textContent()).toContain(
        "succeeded",
      );
      await node(page, `w[k=${k}]`).click();
      await expect.poll(() => page.locator(".panel").getAttribute("data-job")).toBe(`w[k=${k}]`);
      await expect.poll(() => page.locator(".panel").textContent()).toContain(`hello from ${k}`);
    }
    expect(errors).toEqual([]);
  });

  it("a report of a run.json cut short says the run did not end and counts durations to its last event", async () => {
    const run = startRun(
      `version: 1
jobs:
  slow: { command: [sh, -c, "echo begin; sleep 1; echo end"] }
`,
      ["--log-dir", "logs"],
    );
    expect((await run.done).code).toBe(0);
    // As a killed run leaves it: the events up to the first output line, no run:end.
    const lines = readFileSync(join(run.dir, "logs", "run.json"), "utf8").split("\n");
    const cut = lines.slice(0, lines.findIndex((l) => l.includes('"line":"begin"')) + 1);
    writeFileSync(join(run.dir, "cut.json"), `${cut.join("\n")}\n`);
    const start = run.events.find((e) => e.type === "job:start")!;
    const last = run.events.find((e) => e.type === "job:output")!;
    const { page, errors } = await openReport(run.dir, "cut.json");
    await node(page, "slow").waitFor();
    // The job ran a second more, and the page opens later still: neither counts.
    const took = `running · ${formatMs(last.time - start.time)}`;
    await expect.poll(() => page.locator(".panel h2 .state").textContent()).toBe(took);
    expect(await node(page, "slow").locator(".meta").textContent()).toBe(took);
    await page.waitForTimeout(1100);
    expect(await page.locator(".panel h2 .state").textContent()).toBe(took);
    expect(await page.locator("main").getAttribute("data-run-state")).toBe("cut-short");
    expect(await page.locator(".note").textContent()).toContain("This run did not end");
    expect(await page.locator("header .status").textContent()).toBe("did not end");
    expect(await page.locator(".summary").count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("a live page never shows a negative duration, even when its clock is behind the run's events", async () => {
    const run = startRun(
      `version: 1
jobs:
  bad: { command: [does-not-exist-xyz] }
  w: { command: [sh, -c, "while [ ! -f go ]; do sleep 0.05; done; exec sleep 300"] }
`,
      ["--ui", "--keep-alive"],
    );
    const { url, token, port } = await uiLine(run.stderr);
    const { page, errors } = await isolatedPage((u) => u.startsWith(`http://127.0.0.1:${port}/`));
    // The page's clock a minute behind the run's: as `now` is, by up to its once-a-second tick, when
    // an event comes between two ticks.
    await page.addInitScript(() => {
      const now = Date.now.bind(Date);
      Date.now = () => now() - 60_000;
    });
    await page.goto(`${url}#${token}`);
    await node(page, "w").waitFor();
    writeFileSync(join(run.dir, "go"), "");
    const started: Event = await run.until((e) => e.type === "job:start" && e.job === "w");
    await page.locator('g.node[data-job="w"][data-state="running"]').waitFor();
    await node(page, "w").click();
    const state = page.locator(".panel h2 .state");
    await expect.poll(() => state.textContent()).toMatch(/^running · \d/);
    expect(await node(page, "w").locator(".meta").textContent()).toMatch(/^running · \d/);
    expect(await page.locator(".panel .attempts tbody td").nth(4).textContent()).toMatch(/^\d/);
    expect(await page.locator("header .took").textContent()).toMatch(/^\d/);
    expect(started.pid).toBeGreaterThan(0);

    // The live page too shows a job that never started, with its error.
    await node(page, "bad").click();
    await expect
      .poll(() => page.locator(".panel .attempts .error").textContent())
      .toBe("command not found: does-not-exist-xyz");
    expect(await page.locator(".panel h2 .state").textContent()).toBe("failed (did not start)");

    await page.getByRole("button", { name: "End run" }).click();
    await page.locator("main[data-run-state=failed] .summary").waitFor();
    await run.done;
    expect(errors).toEqual([]);
  });
});
