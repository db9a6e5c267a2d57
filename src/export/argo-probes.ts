// procflow's ready and health probes as Kubernetes probes. A port that comes from the matrix is known
// only once Argo fills in the task's parameters, as text, and Kubernetes reads a text port as a port
// *name*: such probes go into the template's podSpecPatch, where the filled-in port is a JSON number.
import { expandCheck } from "../graph/check.js";
import type { Job, Probe } from "../graph/types.js";
import { formatMs } from "../load/duration.js";
import { DEFAULT_READY_TIMEOUT_MS } from "../load/normalize.js";
import { probeValue } from "./argo-values.js";

interface K8sProbe {
  readonly probe: Record<string, unknown>;
  /** The port is a `{{inputs.parameters.KEY}}` text: the probe belongs in a podSpecPatch. */
  readonly parameterPort: boolean;
}

/**
 * The job's readinessProbe and livenessProbe: the container's fields, and a podSpecPatch for those
 * whose port comes from the matrix. `vars` are the values the Workflow gives `${{ env.NAME }}`.
 */
export function probesOf(
  job: Job,
  vars: Readonly<Record<string, string>>,
  warn: (field: "ready" | "health", message: string) => void,
): { container: Record<string, unknown>; podSpecPatch: string | null } {
  const container: Record<string, unknown> = {};
  const patch: Record<string, unknown> = {};
  for (const [field, kind, p] of [
    ["readinessProbe", "ready", job.ready],
    ["livenessProbe", "health", job.health],
  ] as const) {
    const made = p && k8sProbe(job, p, kind, vars, (m) => warn(kind, m));
    if (!made) continue;
    if (kind === "ready" && p.timeoutMs !== DEFAULT_READY_TIMEOUT_MS)
      warn(
        kind,
        `job ${job.family}: the ready probe's timeout is not exported: Kubernetes never gives up on a readinessProbe, so the job is not failed when it is not ready after ${formatMs(p.timeoutMs)}`,
      );
    const probe = kind === "health" ? { ...made.probe, failureThreshold: p.retries } : made.probe;
    if (made.parameterPort) patch[field] = probe;
    else container[field] = probe;
  }
  return { container, podSpecPatch: Object.keys(patch).length ? podSpecPatch(patch) : null };
}

/** The Kubernetes probe for `p`, or null (after `warn`) where there is no equivalent. */
function k8sProbe(
  job: Job,
  p: Probe,
  kind: "ready" | "health",
  declared: Readonly<Record<string, string>>,
  warn: (message: string) => void,
): K8sProbe | null {
  const leftOut = (why: string) => {
    warn(`job ${job.family}: the ${kind} probe is left out: ${why}, so ${LEFT_OUT[kind](job)}`);
    return null;
  };
  const timing = {
    periodSeconds: seconds(p.intervalMs),
    timeoutSeconds: seconds(Math.min(p.timeoutMs, 5000)),
  };
  const missing: string[] = [];
  const check = expandCheck(p.check, (value) => probeValue(value, declared, missing));
  if (missing.length > 0)
    return leftOut(
      `${missing.join(", ")} has no value before the job starts (set it in the file's or job's env)`,
    );
  switch (check.kind) {
    case "tcp": {
      const port = portOf(check.port);
      if (port === null) return leftOut(`${check.port} is not a port number`);
      return made({ tcpSocket: { port, ...remoteHost(check.host) }, ...timing });
    }
    case "http": {
      const url = URL_PARTS.exec(check.url);
      if (!url?.[2]) return leftOut(`${check.url} is not an http or https URL`);
      const https = url[1]!.toLowerCase() === "https";
      const port = portOf(url[3] ?? (https ? "443" : "80"));
      if (port === null) return leftOut(`${url[3]} is not a port number`);
      const httpGet = {
        path: url[4] || "/",
        port,
        ...(https ? { scheme: "HTTPS" } : {}),
        ...remoteHost(url[2].replace(/^\[|\]$/g, "")),
      };
      return made({ httpGet, ...timing });
    }
    case "command":
      return made({ exec: { command: [...check.argv] }, ...timing });
    case "delay":
      return made({ exec: { command: ["true"] }, initialDelaySeconds: seconds(check.ms), ...timing });
    case "log":
      return leftOut("a log probe has no Kubernetes equivalent (use tcp, http or command)");
  }
}

/** What the Workflow does without the probe. */
const LEFT_OUT = {
  ready: (job: Job) =>
    job.daemon
      ? "Argo counts the daemon ready as soon as it runs: the jobs that need it start then"
      : "the job is never failed for not getting ready",
  health: () => "the job is never stopped for failing its checks",
};

/** A podSpecPatch holding probes of the main container, each parameter port written unquoted. */
function podSpecPatch(probes: Readonly<Record<string, unknown>>): string {
  return JSON.stringify({ containers: [{ name: "main", ...probes }] }).replace(
    /"port":"([^"]*)"/g,
    '"port":$1',
  );
}

/** scheme, host, port, path and query of a URL whose parts may be `{{…}}` parameters. */
const URL_PARTS = /^(https?):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?([^#]*)/i;

/** A port as Kubernetes takes it: a number, a text of digits and parameters (a number once filled in), or null. */
function portOf(text: string): number | string | null {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= 1 && n <= 65535 ? n : null;
  }
  return /^(?:\d|\{\{inputs\.parameters\.[^{}]+\}\})+$/.test(text) ? text : null;
}

const made = (probe: Record<string, unknown>): K8sProbe => ({
  probe,
  parameterPort: JSON.stringify(probe).includes('"port":"'),
});

export const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Kubernetes probes the pod's own address unless told a host: local addresses mean the pod. */
const remoteHost = (host: string) =>
  host === "127.0.0.1" || host === "localhost" || host === "::1" ? {} : { host };
