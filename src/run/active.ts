// Runs in progress, so that an internal error anywhere in procflow can still kill what they started.
const aborts = new Set<() => Promise<void>>();

/** Registers a run's emergency stop; returns the function that unregisters it. */
export function registerRun(abort: () => Promise<void>): () => void {
  aborts.add(abort);
  return () => aborts.delete(abort);
}

/** Kills everything every active run started (used on an internal error). */
export async function abortActiveRuns(): Promise<void> {
  await Promise.all([...aborts].map((abort) => abort().catch(() => {})));
}
