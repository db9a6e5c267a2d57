// After the whole suite: no process started by any procflow run of the tests may still be alive.
import { readdirSync, readFileSync } from "node:fs";

export default function setup() {
  return async () => {
    const own = process.env.PROCFLOW_RUN_ID;
    const stray = (): string[] => {
      const out: string[] = [];
      for (const p of readdirSync("/proc")) {
        if (!/^\d+$/.test(p)) continue;
        try {
          const stat = readFileSync(`/proc/${p}/stat`, "latin1");
          if (/^[ZX]$/.test(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3))) continue;
          const runId = readFileSync(`/proc/${p}/environ`, "latin1")
            .split("\0")
            .find((e) => e.startsWith("PROCFLOW_RUN_ID="));
          if (runId && runId !== `PROCFLOW_RUN_ID=${own}`)
            out.push(`${p} ${readFileSync(`/proc/${p}/cmdline`, "latin1").replace(/\0/g, " ")}`);
        } catch {}
      }
      return out;
    };
    // Runs that ended a moment ago have 2 s to finish their cleanup (SPEC §6).
    let left = stray();
    for (let i = 0; i < 40 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      left = stray();
    }
    if (left.length > 0)
      throw new Error(`processes of procflow runs outlived the test suite:\n${left.join("\n")}`);
  };
}
