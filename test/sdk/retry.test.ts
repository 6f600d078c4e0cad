/** The client's retry rules, on a scripted fetch: what is retried, how long it waits, and when it stops. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryAfterMs, retryingFetch } from '../../packages/client/src/retry.ts';

const answer = (status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ error: { code: 'x', message: 'x' } }), { status, headers });

function scripted(steps: (() => Response)[]) {
  const calls: Request[] = [];
  const fetch = async (req: Request) => {
    calls.push(req);
    const step = steps.shift();
    if (!step) throw new Error('no more answers');
    return step();
  };
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

const sleeps = () => {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
};

describe('retries', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(retryAfterMs('3'), 3000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(retryAfterMs(null), null);
    assert.equal(retryAfterMs('soon'), null);
  });

  it('waits Retry-After on 429 and 503, then answers what came', async () => {
    const { fetch, calls } = scripted([
      () => answer(429, { 'retry-after': '2' }),
      () => answer(503, { 'retry-after': '1' }),
      () => answer(202),
    ]);
    const { waits, sleep } = sleeps();
    const res = await retryingFetch(fetch, { retries: 3, sleep })(
      new Request('http://h/v1/notifications', { method: 'POST', body: '{"a":1}' }),
    );
    assert.equal(res.status, 202);
    assert.deepEqual(waits, [2000, 1000]);
    // Each attempt carried the whole body.
    for (const c of calls) assert.equal(await c.text(), '{"a":1}');
  });

  it('backs off exponentially when no Retry-After is given, and stops at its bound', async () => {
    const { fetch, calls } = scripted(Array.from({ length: 5 }, () => () => answer(503)));
    const { waits, sleep } = sleeps();
    const res = await retryingFetch(fetch, { retries: 3, baseDelayMs: 100, maxDelayMs: 300, sleep })(
      new Request('http://h/v1/service'),
    );
    assert.equal(res.status, 503, 'the last answer is returned');
    assert.equal(calls.length, 4, 'one try and three retries');
    assert.equal(waits.length, 3);
    assert.ok(waits[0]! >= 50 && waits[0]! <= 100);
    assert.ok(waits[1]! >= 100 && waits[1]! <= 200);
    assert.ok(waits[2]! >= 150 && waits[2]! <= 300, 'capped by maxDelayMs');
  });

  it('caps a long Retry-After at maxDelayMs', async () => {
    const { fetch } = scripted([() => answer(429, { 'retry-after': '3600' }), () => answer(200)]);
    const { waits, sleep } = sleeps();
    await retryingFetch(fetch, { retries: 1, maxDelayMs: 5000, sleep })(new Request('http://h/x'));
    assert.deepEqual(waits, [5000]);
  });

  it('retries a network error only when sending again is harmless', async () => {
    const lost = () => {
      throw new TypeError('fetch failed');
    };
    const { sleep } = sleeps();
    const keyed = scripted([lost, () => answer(202)]);
    const res = await retryingFetch(keyed.fetch, { retries: 2, sleep })(
      new Request('http://h/v1/notifications', {
        method: 'POST',
        headers: { 'idempotency-key': 'k' },
        body: '{}',
      }),
    );
    assert.equal(res.status, 202);
    assert.equal(keyed.calls.length, 2);

    const bare = scripted([lost, () => answer(200)]);
    await assert.rejects(
      retryingFetch(bare.fetch, { retries: 2, sleep })(
        new Request('http://h/v1/notifications/1/cancel', { method: 'POST', body: '{}' }),
      ),
      /fetch failed/,
    );
    assert.equal(bare.calls.length, 1, 'a POST without a key is not sent twice');
  });

  it('does not retry other statuses', async () => {
    const { fetch, calls } = scripted([() => answer(500), () => answer(200)]);
    const res = await retryingFetch(fetch, { retries: 3, sleep: sleeps().sleep })(new Request('http://h/x'));
    assert.equal(res.status, 500);
    assert.equal(calls.length, 1);
  });
});
