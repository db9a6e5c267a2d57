// The semantic rules, run in this order after the schema check; adding a check is adding a file here.
import { cacheFields } from "./cache-fields.js";
import { commandShape } from "./command-shape.js";
import { daemonNeeds } from "./daemon-needs.js";
import { daemonTimeout } from "./daemon-timeout.js";
import { durationRange } from "./duration-range.js";
import { envFile } from "./env-file.js";
import { expressions } from "./expressions.js";
import { jobsUnique } from "./jobs-unique.js";
import { matrixSize } from "./matrix-size.js";
import { needsCycle } from "./needs-cycle.js";
import { needsSelf } from "./needs-self.js";
import { needsUnknown } from "./needs-unknown.js";
import { probeRegex } from "./probe-regex.js";
import { probeValues } from "./probe-values.js";
import type { Rule } from "./rule.js";
import { targetModule } from "./target-module.js";
import { watchGlobs } from "./watch-globs.js";

export const rules: readonly Rule[] = [
  jobsUnique,
  needsUnknown,
  needsSelf,
  needsCycle,
  daemonNeeds,
  daemonTimeout,
  commandShape,
  expressions,
  probeRegex,
  probeValues,
  durationRange,
  matrixSize,
  targetModule,
  envFile,
  cacheFields,
  watchGlobs,
];
