/**
 * A circuit breaker for one provider, as a pure state machine fed with outcomes and the time.
 *
 *   closed ──failures ≥ threshold within the window──▶ open
 *   open ──openMs passed──▶ half_open (lets `probes` requests through)
 *   half_open ──a probe succeeds──▶ closed      half_open ──a probe fails──▶ open (again for openMs)
 *
 * Only failures that say the provider is unwell count (timeouts, 5xx, connection faults); a bad
 * address or a rate limit says nothing about its health. The lane asks `allows` before each send
 * and reports the outcome with `record`; there is no timer, so tests drive it with a fake clock.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerPolicy {
  /** Consecutive-in-window failures that open the breaker. */
  failureThreshold: number;
  /** Failures older than this are forgotten while closed. */
  windowMs: number;
  /** How long the breaker stays open before letting a probe through. */
  openMs: number;
  /** Requests allowed through at once while half-open. */
  probes: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = {
  failureThreshold: 5,
  windowMs: 30_000,
  openMs: 15_000,
  probes: 1,
};

export interface Breaker {
  state: BreakerState;
  /** Times of recent failures while closed (at most `failureThreshold` kept). */
  failures: number[];
  openedAt: number | null;
  probesInFlight: number;
}

export const newBreaker = (): Breaker => ({
  state: 'closed',
  failures: [],
  openedAt: null,
  probesInFlight: 0,
});

/** Moves an open breaker to half-open once its time is up; otherwise returns it unchanged. */
export function tick(b: Breaker, policy: BreakerPolicy, now: number): Breaker {
  if (b.state === 'open' && b.openedAt !== null && now - b.openedAt >= policy.openMs) {
    return { ...b, state: 'half_open', probesInFlight: 0 };
  }
  return b;
}

/** Whether a request may go now, and the breaker after taking its slot (a half-open probe). */
export function acquire(b: Breaker, policy: BreakerPolicy, now: number): { ok: boolean; breaker: Breaker } {
  const current = tick(b, policy, now);
  if (current.state === 'closed') return { ok: true, breaker: current };
  if (current.state === 'half_open' && current.probesInFlight < policy.probes) {
    return { ok: true, breaker: { ...current, probesInFlight: current.probesInFlight + 1 } };
  }
  return { ok: false, breaker: current };
}

export type BreakerOutcome = 'success' | 'failure' | 'neutral';

export function record(b: Breaker, policy: BreakerPolicy, outcome: BreakerOutcome, now: number): Breaker {
  const current = tick(b, policy, now);
  if (current.state === 'half_open') {
    const probesInFlight = Math.max(0, current.probesInFlight - 1);
    if (outcome === 'success') return newBreaker();
    if (outcome === 'failure') return { state: 'open', failures: [], openedAt: now, probesInFlight: 0 };
    return { ...current, probesInFlight };
  }
  if (current.state === 'open') return current; // a late answer from before it opened changes nothing
  if (outcome === 'success') return current.failures.length ? { ...current, failures: [] } : current;
  if (outcome === 'neutral') return current;
  const failures = [...current.failures.filter((t) => now - t < policy.windowMs), now].slice(
    -policy.failureThreshold,
  );
  if (failures.length >= policy.failureThreshold) {
    return { state: 'open', failures: [], openedAt: now, probesInFlight: 0 };
  }
  return { ...current, failures };
}

/** When an open breaker will next let a probe through (for scheduling waiting deliveries). */
export function reopensAt(b: Breaker, policy: BreakerPolicy): number | null {
  return b.state === 'open' && b.openedAt !== null ? b.openedAt + policy.openMs : null;
}
