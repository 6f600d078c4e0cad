import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertTransition,
  canTransition,
  DELIVERY_STATES,
  FINAL_STATES,
  sourcesOf,
} from '../../src/domain/delivery-states.ts';
import { backoffMs, decideAfterFailure, DEFAULT_RETRY_POLICY } from '../../src/domain/retry-policy.ts';
import { generateApiKey, parseApiKey, secretMatches, tokensEqual } from '../../src/domain/api-keys.ts';
import { addressFor, CHANNELS } from '../../src/domain/channels.ts';

describe('delivery state machine', () => {
  it('allows the documented walk and nothing out of a final state but replay and receipts', () => {
    const walk = ['queued', 'sending', 'sent', 'delivered', 'opened', 'clicked'] as const;
    for (let i = 0; i < walk.length - 1; i++)
      assert.ok(canTransition(walk[i]!, walk[i + 1]!), `${walk[i]} → ${walk[i + 1]}`);
    assert.ok(canTransition('sending', 'queued'), 'retry and lease reclaim');
    assert.ok(canTransition('dead', 'queued'), 'replay');
    for (const s of ['suppressed', 'failed', 'clicked', 'bounced', 'cancelled'] as const) {
      assert.deepEqual(
        DELIVERY_STATES.filter((t) => canTransition(s, t)),
        [],
        `${s} is terminal`,
      );
    }
    assert.throws(() => assertTransition('sent', 'queued'), /illegal delivery transition sent → queued/);
    assert.throws(() => assertTransition('suppressed', 'sending'));
  });

  it('cancels only what has not been tried: pending, queued and deferred', () => {
    assert.deepEqual(sourcesOf('cancelled').sort(), ['deferred', 'pending', 'queued']);
    assert.ok(FINAL_STATES.has('cancelled'));
  });

  it('knows where each state can come from, and which states are final', () => {
    assert.deepEqual(sourcesOf('sending'), ['queued']);
    assert.deepEqual(sourcesOf('queued').sort(), ['dead', 'deferred', 'pending', 'sending'].sort());
    for (const s of FINAL_STATES) assert.ok(!['queued', 'sending', 'pending', 'deferred'].includes(s));
  });
});

describe('retry policy', () => {
  const policy = {
    ...DEFAULT_RETRY_POLICY,
    maxAttempts: 5,
    baseDelayMs: 1000,
    maxDelayMs: 60_000,
    maxAgeMs: 3600_000,
  };

  it('uses full jitter under an exponential ceiling', () => {
    assert.equal(
      backoffMs(1, policy, () => 0.999999),
      999,
    );
    assert.equal(
      backoffMs(3, policy, () => 0.5),
      2000,
    );
    assert.equal(
      backoffMs(30, policy, () => 0.999999),
      59_999,
      'capped at maxDelayMs',
    );
    assert.equal(
      backoffMs(4, policy, () => 0),
      0,
    );
  });

  it('never retries a permanent failure', () => {
    const d = decideAfterFailure({
      failure: { kind: 'permanent', code: 'smtp_550', message: 'no such user' },
      attempts: 1,
      ageMs: 0,
      policy,
      random: () => 0.5,
    });
    assert.deepEqual(d, { action: 'fail', reason: 'smtp_550' });
  });

  it('retries transient failures until attempts or age run out, then dead', () => {
    const transient = { kind: 'transient' as const, code: 'smtp_451', message: 'later' };
    assert.deepEqual(
      decideAfterFailure({ failure: transient, attempts: 2, ageMs: 0, policy, random: () => 0.5 }),
      {
        action: 'retry',
        delayMs: 1000,
      },
    );
    assert.deepEqual(
      decideAfterFailure({ failure: transient, attempts: 5, ageMs: 0, policy, random: () => 0.5 }),
      {
        action: 'dead',
        reason: 'attempts_exhausted',
      },
    );
    assert.deepEqual(
      decideAfterFailure({
        failure: transient,
        attempts: 1,
        ageMs: 3600_000 - 10,
        policy,
        random: () => 0.5,
      }),
      { action: 'dead', reason: 'max_age_exceeded' },
    );
  });

  it('waits at least what Retry-After asked for', () => {
    const d = decideAfterFailure({
      failure: { kind: 'rate_limited', code: 'http_429', message: 'slow down', retryAfterMs: 30_000 },
      attempts: 1,
      ageMs: 0,
      policy,
      random: () => 0.1,
    });
    assert.deepEqual(d, { action: 'retry', delayMs: 30_000 });
  });
});

describe('API keys', () => {
  it('round-trips the documented shape and checks the secret against its hash', () => {
    const k = generateApiKey();
    assert.match(k.key, /^hk_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(k.key);
    assert.ok(parsed);
    assert.equal(parsed.publicId, k.publicId);
    assert.equal(secretMatches(parsed.secret, k.secretHash), true);
    assert.equal(
      secretMatches(
        parsed.secret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
        k.secretHash,
      ),
      false,
    );
    assert.equal(k.key.includes(k.secretHash), false, 'the stored hash is not the secret');
  });

  it('rejects keys of any other shape', () => {
    for (const bad of [
      '',
      'hk_',
      'hk_short_secret',
      `sk_${'a'.repeat(16)}_${'b'.repeat(43)}`,
      `hk_${'A'.repeat(16)}_${'b'.repeat(43)}`,
      `hk_${'a'.repeat(16)}-${'b'.repeat(43)}`,
    ]) {
      assert.equal(parseApiKey(bad), null, bad);
    }
  });

  it('compares admin tokens of different lengths without throwing', () => {
    assert.equal(tokensEqual('abc', 'abc'), true);
    assert.equal(tokensEqual('abc', 'abcd'), false);
  });
});

describe('channel addresses', () => {
  it('knows where each channel sends', () => {
    const r = { id: 'u1', email: 'a@b.c', phone: '+14155552671' };
    assert.equal(addressFor('email', r), 'a@b.c');
    assert.equal(addressFor('sms', r), '+14155552671');
    assert.equal(addressFor('in_app', r), 'u1');
    assert.equal(addressFor('email', { id: 'u2', email: null }), null);
    for (const c of CHANNELS) assert.notEqual(addressFor(c, r), undefined);
  });
});
