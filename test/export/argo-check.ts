// `procflow export --to argo` through the real CLI, and every reason Argo or Kubernetes would refuse
// what it wrote: the CRD schema and its CEL rules, Argo's validator, Kubernetes' pod rules.
import { parse } from "yaml";
import { cli } from "../rig.js";
import { podProblems } from "./argo-instances.js";
import { schemaProblems } from "./argo-schema.js";
import { validatorProblems } from "./argo-validator.js";

export type Workflow = Record<string, unknown>;

/** Every problem with `workflow`, in the words of whichever check finds it. */
export function argoProblems(workflow: Workflow): string[] {
  return [...schemaProblems(workflow), ...validatorProblems(workflow), ...podProblems(workflow)];
}

/** Exports `file` (run from `cwd`); the workflow is null when the export failed. */
export async function exportArgo(file: string, cwd: string, args: string[] = []) {
  const r = await cli(["export", "--to", "argo", file, ...args], { cwd });
  return { ...r, workflow: r.code === 0 ? (parse(r.stdout) as Workflow) : null };
}
