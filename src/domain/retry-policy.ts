/**
 * What to do after a failed attempt: data (the policy) plus one pure function (`decideAfterFailure`).
 * Randomness is passed in so tests can pin it.
 */
export type FailureKind = 'transient' | 'rate_limited' | 'permanent';

export interface SendFailure {
  kind: FailureKind;
  code: string;
  message: string;
  /** From the provider's Retry-After, when it gave one. */
  retryAfterMs?: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  /** Give up once the delivery is older than this, whatever the attempt count. */
  maxAgeMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  maxAgeMs: 24 * 3600_000,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
};

export type RetryDecision =
  | { action: 'retry'; delayMs: number }
  | { action: 'fail'; reason: string }
  | { action: 'dead'; reason: string };

/**
 * Full jitter (AWS architecture blog): delay = random(0, min(cap, base · 2^(attempt-1))).
 * A rate-limited answer waits at least what the provider asked for.
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export function decideAfterFailure(input: {
  failure: SendFailure;
  /** Attempts made so far, including the one that just failed. */
  attempts: number;
  ageMs: number;
  policy: RetryPolicy;
  random: () => number;
}): RetryDecision {
  const { failure, attempts, ageMs, policy, random } = input;
  if (failure.kind === 'permanent') return { action: 'fail', reason: failure.code };
  if (attempts >= policy.maxAttempts) return { action: 'dead', reason: 'attempts_exhausted' };
  let delayMs = backoffMs(attempts, policy, random);
  if (failure.kind === 'rate_limited' && failure.retryAfterMs !== undefined) {
    delayMs = Math.max(delayMs, failure.retryAfterMs);
  }
  if (ageMs + delayMs > policy.maxAgeMs) return { action: 'dead', reason: 'max_age_exceeded' };
  return { action: 'retry', delayMs };
}
