// `${{ jobs.<job>.ports.<name> }}` must name a job of the tree and one of its `ports`; a matrix job's
// ports are per instance, so another job names the instance (`jobs['api[i=0]'].ports.http`).
import type { RuleContext } from "./rule.js";

const PORT_REF = /^(.+)\.ports\.([^.]+)$/;

/** What is wrong with the reference `jobs.<name>` written in job `self` (or at the top level), or null. */
export function portRefProblem(ctx: RuleContext, name: string, self: string | null): string | null {
  const m = PORT_REF.exec(name);
  if (!m) return "use ${{ jobs.<job>.ports.<name> }}";
  const [, ref, port] = m as unknown as [string, string, string];
  const bracket = ref.indexOf("[");
  const job = bracket === -1 ? ref : ref.slice(0, bracket);
  const written = ctx.tree.jobs.get(job)?.job;
  if (!written) return ctx.tree.names.has(job) ? null : `no job named "${job}"`;
  const ports = written.ports ?? [];
  if (!ports.includes(port))
    return ports.length === 0
      ? `job "${job}" has no ports (add ports: [${port}] to it)`
      : `job "${job}" has the ports ${ports.map((p) => `"${p}"`).join(", ")}`;
  if (written.matrix && bracket === -1 && job !== self)
    return `"${job}" is a matrix job with ports per instance: name one, e.g. jobs['${job}[${Object.keys(written.matrix)[0]}=…]'].ports.${port}`;
  return null;
}
