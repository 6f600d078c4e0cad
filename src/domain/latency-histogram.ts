/**
 * Latency histograms over fixed log-scale slots, so histograms from any number of hours and workers
 * add up by slot, and percentiles come from the sums without keeping every sample. A slot is a
 * quarter of a power of two wide (≈19 %), from 1 ms to beyond a week; an estimate is the slot's
 * geometric middle, within ±10 % of the true value.
 */
export const SLOTS_PER_DOUBLING = 4;
export const SLOT_COUNT = 128;

export function slotOf(ms: number): number {
  if (!(ms > 1)) return 0;
  return Math.min(SLOT_COUNT - 1, Math.floor(Math.log2(ms) * SLOTS_PER_DOUBLING));
}

/** The value a slot stands for: its geometric middle. */
export function slotValue(slot: number): number {
  return 2 ** ((slot + 0.5) / SLOTS_PER_DOUBLING);
}

/** The same slot as an SQL expression over a millisecond expression, for rollups computed in the database. */
export const SLOT_SQL = (msExpr: string) =>
  `least(${SLOT_COUNT - 1}, greatest(0, floor(log(2, greatest(${msExpr}, 1)::numeric) * ${SLOTS_PER_DOUBLING})))::smallint`;

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Nearest-rank percentiles from slot counts; null when there are no samples. */
export function percentiles(counts: ReadonlyMap<number, number>): Percentiles {
  const slots = [...counts.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = slots.reduce((sum, [, n]) => sum + n, 0);
  const at = (q: number): number | null => {
    if (total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (const [slot, n] of slots) {
      seen += n;
      if (seen >= rank) return Math.round(slotValue(slot));
    }
    return null;
  };
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
