/**
 * Turns "R requests per second, use a fraction u of it" into fixed time slices that a shared
 * counter (Redis or memory) can enforce, so that the provider never sees more than R in *any*
 * sliding second — not just in each calendar second, where two full windows back to back would let
 * 2R through. A sliding second overlaps at most n+1 slices of 1/n s, so with p tokens per slice we
 * need (n+1)·p ≤ R, and n·p ≤ u·R for the target rate. Among slice counts that divide a second
 * evenly, up to 10 (slices no shorter than 100 ms, so clock skew between workers stays small next to
 * them), we pick the one that lets the most through, the finest on a tie (smaller bursts). Limits below 2/s cannot be held this way; the
 * configuration refuses them.
 */
export interface RateLimitSetting {
  perSecond: number;
  /** Fraction of the provider's limit Herald may use, (0, 1]. */
  utilization: number;
}

export interface SlicePlan {
  sliceMs: number;
  pointsPerSlice: number;
  /** What the plan lets through per second, at most. */
  effectivePerSecond: number;
}

export function planSlices({ perSecond, utilization }: RateLimitSetting): SlicePlan {
  const target = perSecond * Math.min(1, Math.max(0, utilization));
  let best: SlicePlan = { sliceMs: 1000, pointsPerSlice: 0, effectivePerSecond: 0 };
  for (const n of [1, 2, 4, 5, 8, 10]) {
    const points = Math.floor(Math.min(target / n, perSecond / (n + 1)));
    if (points >= 1 && n * points >= best.effectivePerSecond) {
      best = { sliceMs: 1000 / n, pointsPerSlice: points, effectivePerSecond: n * points };
    }
  }
  // Only reachable with perSecond < 2 or a tiny utilization: one token per second, the least we can do.
  if (best.pointsPerSlice === 0) return { sliceMs: 1000, pointsPerSlice: 1, effectivePerSecond: 1 };
  return best;
}

/** The slice a moment falls in, and how long until the next one starts. */
export function sliceAt(now: number, plan: SlicePlan): { index: number; msToNext: number } {
  const index = Math.floor(now / plan.sliceMs);
  return { index, msToNext: (index + 1) * plan.sliceMs - now };
}
