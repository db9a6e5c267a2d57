// A probe's tcp port and http URL must be usable and its interval more than zero: a mistake there
// would otherwise show only when the ready timeout runs out, as a job that never got ready. Values
// with an expression (a port picked for the run) are checked when they are known.
import { hasExpression } from "../../expr/template.js";
import { durationMs } from "../duration.js";
import type { Rule } from "./rule.js";

const PROBES = ["ready", "health"] as const;

export const probeValues: Rule = (ctx) => {
  for (const { name, job } of ctx.jobs)
    for (const kind of PROBES) {
      const probe = job[kind];
      if (!probe) continue;
      const report = (field: string, code: string, why: string) =>
        ctx.report(["jobs", name, kind, field], code, `jobs.${name}.${kind}.${field}: ${why}`);
      const tcp = probe.tcp === undefined ? undefined : String(probe.tcp);
      if (tcp !== undefined && !hasExpression(tcp)) {
        const port = tcp.slice(tcp.lastIndexOf(":") + 1);
        if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)
          report(
            "tcp",
            "probe-tcp",
            `${JSON.stringify(probe.tcp)} names no port from 1 to 65535; write PORT or "HOST:PORT"`,
          );
      }
      if (probe.http !== undefined && !hasExpression(probe.http) && !isHttpUrl(probe.http))
        report("http", "probe-http", `"${probe.http}" is not an http:// or https:// URL`);
      if (probe.interval !== undefined && durationMs(probe.interval) === 0)
        report("interval", "probe-interval", "must be more than 0 (checks would never pause)");
    }
};

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
