/** The worker's retention round: batches until one comes back short or the time budget is spent. */
import type { RetentionStore } from '../ports/retention.ts';

export async function pruneOld(
  store: RetentionStore,
  olderThanMs: number,
  { batch = 500, budgetMs = 1000, now = Date.now } = {},
): Promise<number> {
  const started = now();
  let total = 0;
  for (;;) {
    const n = await store.prune(olderThanMs, batch);
    total += n;
    // A backlog (say, retention just switched on) shrinks over many sweeps; no one sweep holds the worker.
    if (n < batch || now() - started >= budgetMs) return total;
  }
}
