// The two ways a run keeps track of its processes on Linux, for the no-orphans tests to run in both:
// the run's cgroup (where procflow can make one, as root here) and process groups plus the run id in
// the environment (everywhere else; forced with PROCFLOW_NO_CGROUP=1).
export const MODES = [
  ["with the run's cgroup where one can be had", {}],
  ["without a cgroup", { PROCFLOW_NO_CGROUP: "1" }],
] as const;
