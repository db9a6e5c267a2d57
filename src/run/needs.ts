// Whether a need holds: a family's counts against a condition (SPEC §2, §19), for the scheduler.
// A reused job (--rerun-failed) meets success, always, started and ready, never failure.
//
// A family is a job as written (a matrix job: all its instances), so a need on a matrix job is one
// barrier over counts, never an edge per pair of instances. The counts are kept by the scheduler,
// which adds and removes each instance's contribution whenever that instance changes.
import type { EndState, SkipCause } from "../events.js";
import type { Condition, Need } from "../graph/types.js";

/** What the scheduler knows of one instance, as far as needs are concerned. */
export interface InstanceFacts {
  readonly name: string;
  readonly allowFailure: boolean;
  /** How far its current (or last) attempt got; reset when a new attempt begins. */
  reached: "none" | "started" | "ready";
  end: EndState | null;
  /** Its end never fails a dependent's skip: a skip that did not fail the run, or a manual stop. */
  benign: boolean;
}

/** Sums over a family's instances. */
export interface Counts {
  size: number;
  started: number;
  ready: number;
  ended: number;
  /** Ended in a state that meets `success`. */
  ok: number;
  /** Ended failed or timed out: meets `failure`. */
  bad: number;
  /** Ended without ever reaching started / ready in its last attempt. */
  endedUnstarted: number;
  endedUnready: number;
}

export const emptyCounts = (): Counts => ({
  size: 0,
  started: 0,
  ready: 0,
  ended: 0,
  ok: 0,
  bad: 0,
  endedUnstarted: 0,
  endedUnready: 0,
});

export const meetsSuccess = (i: InstanceFacts): boolean =>
  i.end === "succeeded" ||
  i.end === "reused" ||
  i.end === "cached" ||
  (i.allowFailure && (i.end === "failed" || i.end === "timed_out"));

/** Adds (sign 1) or removes (sign -1) one instance's contribution to its family's counts. */
export function count(c: Counts, i: InstanceFacts, sign: 1 | -1): void {
  if (i.reached !== "none") c.started += sign;
  if (i.reached === "ready") c.ready += sign;
  if (i.end === null) return;
  c.ended += sign;
  if (meetsSuccess(i)) c.ok += sign;
  // A failure meets `failure` even with allow_failure: that only keeps it from failing the run.
  if (i.end === "failed" || i.end === "timed_out") c.bad += sign;
  if (i.reached === "none") c.endedUnstarted += sign;
  if (i.reached !== "ready") c.endedUnready += sign;
}

/** met: the need holds; never: it cannot hold any more (then `decider` says which instance decided it). */
export type Status = "met" | "pending" | "never";

export function status(c: Counts, condition: Condition): Status {
  switch (condition) {
    case "started":
      return c.started === c.size ? "met" : c.endedUnstarted > 0 ? "never" : "pending";
    case "ready":
      return c.ready === c.size ? "met" : c.endedUnready > 0 ? "never" : "pending";
    case "success":
      return c.ok === c.size ? "met" : c.ended > c.ok ? "never" : "pending";
    case "failure":
      return c.ended < c.size ? "pending" : c.bad > 0 ? "met" : "never";
    case "always":
      return c.ended === c.size ? "met" : "pending";
  }
}

/** The instance whose end made `condition` impossible (for the skip's fields). */
export function decider(instances: readonly InstanceFacts[], condition: Condition): InstanceFacts {
  const found = instances.find((i) => {
    if (i.end === null) return false;
    if (condition === "started") return i.reached === "none";
    if (condition === "ready") return i.reached !== "ready";
    if (condition === "success") return !meetsSuccess(i);
    return false;
  });
  return found ?? instances[instances.length - 1]!;
}

/** Why a job cannot start now (for `ctl start`). */
export interface Unmet {
  readonly need: string;
  readonly condition: Condition;
  /** The needed job's state: an end state, or "running"/"waiting". */
  readonly state: string;
}

/**
 * The skip of a job whose need can no longer hold, and whether it fails the run (SPEC §19): it does
 * when the needed job failed or ended without reaching `started`/`ready`; never for an unmet
 * `failure` condition, or when the needed job's own end was benign (a manual stop, a skip that did
 * not fail the run).
 */
export function impossible(
  need: Need,
  instances: readonly InstanceFacts[],
): { cause: SkipCause; fails: boolean } {
  const d = decider(instances, need.condition);
  const early = d.end !== "skipped" && (need.condition === "started" || need.condition === "ready");
  const cause: SkipCause = {
    cause: "need",
    need: need.job,
    condition: need.condition,
    needState: d.end!,
    ...(d.name !== need.job ? { needJob: d.name } : {}),
    ...(early ? { early } : {}),
    ...(d.end === "stopped" && d.benign ? { onRequest: true } : {}),
  };
  const fails =
    need.condition === "failure" ? instances.some((i) => i.end === "skipped" && !i.benign) : !d.benign;
  return { cause, fails };
}
