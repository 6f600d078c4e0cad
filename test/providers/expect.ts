/** Shared assertions for provider tests: what the engine made of one attempt. */
import assert from 'node:assert/strict';
import type { DeliveryOutcome } from '../helpers/lane.ts';

export function expectFailed(out: DeliveryOutcome, code: string): void {
  assert.equal(out.status, 'failed', JSON.stringify(out));
  assert.equal(out.reason, code);
  assert.equal(out.attempts, 1);
  assert.equal(out.attemptRows[0]?.outcome, 'permanent');
  assert.equal(out.attemptRows[0]?.error_code, code);
}

export function expectRetried(out: DeliveryOutcome, kind: 'transient' | 'rate_limited', code: string): void {
  assert.equal(out.status, 'queued', JSON.stringify(out));
  assert.equal(out.reason, code);
  assert.equal(out.attempts, 1);
  assert.equal(out.attemptRows[0]?.outcome, kind);
  assert.equal(out.attemptRows[0]?.error_code, code);
  assert.ok((out.retryInMs ?? 0) > 0, 'the retry is scheduled in the future');
}

/** The provider's Retry-After was honoured: the next attempt waits at least that long. */
export function expectRateLimited(out: DeliveryOutcome, retryAfterMs: number, code = 'rate_limited'): void {
  expectRetried(out, 'rate_limited', code);
  assert.ok((out.retryInMs ?? 0) >= retryAfterMs, `retry in ${out.retryInMs} ms, asked ${retryAfterMs}`);
}

export function expectSent(out: DeliveryOutcome, provider: string): void {
  assert.equal(out.status, 'sent', JSON.stringify(out));
  assert.equal(out.provider, provider);
  assert.equal(out.attempts, 1);
  assert.equal(out.attemptRows[0]?.outcome, 'sent');
}
