import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideAfterFailure, type RetryPolicy } from '../../src/domain/retry-policy.ts';
import { classifyStatus, parseRetryAfter } from '../../src/adapters/channels/webhook/webhook-sender.ts';

const policy: RetryPolicy = { maxAttempts: 4, maxAgeMs: 60_000, baseDelayMs: 1000, maxDelayMs: 8000 };
const transient = { kind: 'transient' as const, code: 'x', message: 'x' };

describe('retry policy', () => {
  it('waits at least what Retry-After asked for, even when the backoff is shorter', () => {
    const d = decideAfterFailure({
      failure: { kind: 'rate_limited', code: 'webhook_429', message: '', retryAfterMs: 30_000 },
      attempts: 1,
      ageMs: 0,
      policy,
      random: () => 0.5,
    });
    assert.deepEqual(d, { action: 'retry', delayMs: 30_000 });
  });

  it('gives up as dead when Retry-After would carry it past the maximum age', () => {
    const d = decideAfterFailure({
      failure: { kind: 'rate_limited', code: 'webhook_429', message: '', retryAfterMs: 50_000 },
      attempts: 1,
      ageMs: 20_000,
      policy,
      random: () => 0,
    });
    assert.deepEqual(d, { action: 'dead', reason: 'max_age_exceeded' });
  });

  it('uses full jitter under a doubling cap, ends dead after max attempts, fails permanent errors at once', () => {
    const delays = [1, 2, 3].map((attempts) =>
      decideAfterFailure({ failure: transient, attempts, ageMs: 0, policy, random: () => 0.999 }),
    );
    assert.deepEqual(
      delays.map((d) => (d.action === 'retry' ? d.delayMs : d.action)),
      [999, 1998, 3996],
    );
    assert.deepEqual(
      decideAfterFailure({ failure: transient, attempts: 4, ageMs: 0, policy, random: () => 0 }),
      {
        action: 'dead',
        reason: 'attempts_exhausted',
      },
    );
    assert.deepEqual(
      decideAfterFailure({
        failure: { kind: 'permanent', code: 'invalid_address', message: '' },
        attempts: 1,
        ageMs: 0,
        policy,
        random: () => 0,
      }),
      { action: 'fail', reason: 'invalid_address' },
    );
  });
});

describe('webhook answers', () => {
  it('classifies statuses: 2xx ok, 429 rate limited, 408 and 5xx transient, 3xx and other 4xx permanent', () => {
    assert.equal(classifyStatus(204, undefined), null);
    assert.deepEqual(classifyStatus(429, 2000), {
      kind: 'rate_limited',
      code: 'webhook_429',
      message: 'The endpoint answered HTTP 429.',
      retryAfterMs: 2000,
    });
    assert.equal(classifyStatus(408, undefined)?.kind, 'transient');
    assert.equal(classifyStatus(503, undefined)?.kind, 'transient');
    assert.equal(classifyStatus(301, undefined)?.code, 'webhook_redirect');
    assert.equal(classifyStatus(410, undefined)?.kind, 'permanent');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('7', 0), 7000);
    assert.equal(parseRetryAfter(new Date(60_000).toUTCString(), 0), 60_000);
    assert.equal(parseRetryAfter('soon', 0), undefined);
    assert.equal(parseRetryAfter(undefined, 0), undefined);
  });
});
