// The public API, embedded: load a file, run it in-process with a reporter of one's own.
import { describe, expect, it } from "vitest";
import { loadText, type RunEvent, runGraph } from "../src/index.js";
import { tempDir } from "./rig.js";

describe("public API", () => {
  it("loads, validates and runs a graph with a custom reporter", async () => {
    const dir = tempDir();
    const bad = loadText("version: 1\njobs:\n  a: { comand: x }\n", `${dir}/bad.yaml`);
    expect(bad.graph).toBeUndefined();
    expect(bad.diagnostics.map((d) => d.code)).toEqual(["schema-oneOf", "schema-additionalProperties"]);

    const { graph } = loadText(
      "version: 1\njobs:\n  a: { command: [echo, hi] }\n  b: { command: 'true', needs: [a] }\n",
      `${dir}/jobs.yaml`,
    );
    const events: RunEvent[] = [];
    const result = await runGraph(graph!, { reporters: [{ event: (e) => events.push(e) }] });
    expect(result).toMatchObject({
      state: "succeeded",
      exitCode: 0,
      jobs: { a: "succeeded", b: "succeeded" },
    });
    expect(events.map((e) => e.type)).toEqual([
      "run:start",
      "job:start",
      "job:output",
      "job:exit",
      "job:start",
      "job:exit",
      "run:end",
    ]);
    expect(Object.isFrozen(graph) && Object.isFrozen(graph!.jobs[0])).toBe(true);
  });
});
