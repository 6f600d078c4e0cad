/**
 * @herald/client against a real Herald (in this process, on a fresh PostgreSQL database): sends with
 * and without an idempotency key, a 429 retried after its Retry-After, paging through 250 items, and
 * errors that carry Herald's code, status and details.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createHeraldClient,
  HeraldError,
  type HeraldClient,
  type SendRequest,
} from '../../packages/client/src/index.ts';
import { registerService } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

const SEND: SendRequest = {
  type: 'order_shipped',
  recipient: { id: 'user-1', email: 'user-1@example.com' },
  channels: ['email'],
  content: { email: { subject: 'Shipped', text: 'Your order is on its way.' } },
};

describe('@herald/client', { skip: skipWithoutPg, timeout: 120_000 }, () => {
  let herald: InProcess;
  let url: string;
  let herald1: HeraldClient;
  let herald1Key: string;

  const newClient = async (name: string, extra: Partial<Parameters<typeof createHeraldClient>[0]> = {}) => {
    const { apiKey } = await registerService(herald.admin, name);
    return createHeraldClient({ baseUrl: url, apiKey, ...extra });
  };

  before(async () => {
    // A small per-service budget, so one test can be refused with 429; the others stay under it.
    herald = await startInProcess({ apiRateLimit: { perSecond: 3 } }, { api: true, worker: false });
    url = herald.herald.url ?? '';
    herald1Key = (await registerService(herald.admin, 'Sender')).apiKey;
    herald1 = createHeraldClient({ baseUrl: url, apiKey: herald1Key });
  });
  after(async () => herald?.stop());

  it('sends, with an idempotency key made for it', async () => {
    const sent = await herald1.send(SEND);
    assert.equal(sent.status, 'accepted');
    assert.match(sent.idempotencyKey, /^[0-9a-f-]{36}$/);
    const again = await herald1.send(SEND);
    assert.notEqual(again.id, sent.id, 'two sends without a key are two notifications');
    const { data } = await herald1.api.GET('/v1/notifications/{id}', { params: { path: { id: sent.id } } });
    assert.equal(data?.idempotencyKey, sent.idempotencyKey);
  });

  it('sends with a given idempotency key, and the same key gives the same notification back', async () => {
    const first = await herald1.send(SEND, { idempotencyKey: 'order-1234-shipped' });
    const second = await herald1.send(SEND, { idempotencyKey: 'order-1234-shipped' });
    assert.equal(second.id, first.id);
    assert.equal(second.idempotencyKey, 'order-1234-shipped');
  });

  it('sends a batch, with a key made for each item, and records an event', async () => {
    const batch = await herald1.sendBatch([SEND, { ...SEND, idempotencyKey: 'batch-2' }]);
    assert.equal(batch.results.length, 2);
    assert.deepEqual(
      batch.results.map((r) => r.status),
      [202, 202],
    );
    const replay = await herald1.sendBatch([{ ...SEND, idempotencyKey: 'batch-2' }]);
    const [first] = replay.results;
    assert.ok(first && 'replayed' in first && first.replayed);
    assert.equal(first.id, (batch.results[1] as { id: string }).id);

    const event = await herald1.event({ id: 'evt-1', name: 'order.placed', payload: { total: 12 } });
    assert.ok('id' in event, 'one event in, one answer out');
    assert.equal(event.id, 'evt-1');
    const { data } = await herald1.api.GET('/v1/events/{id}', { params: { path: { id: event.id } } });
    assert.equal(data?.name, 'order.placed');
  });

  it('retries a 429 after the Retry-After the server gave', async () => {
    // Each attempt, by the send's idempotency key: when it left, when its answer came, what it was.
    const attempts = new Map<
      string,
      { sent: number; answered: number; status: number; retryAfter: string | null }[]
    >();
    const recording: typeof fetch = async (input, init) => {
      const key = (input as Request).headers.get('idempotency-key') ?? '';
      const sent = Date.now();
      const res = await fetch(input, init);
      const list = attempts.get(key) ?? [];
      list.push({
        sent,
        answered: Date.now(),
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
      });
      attempts.set(key, list);
      return res;
    };
    const busy = await newClient('Busy', { fetch: recording, retries: 8 });
    // Ten sends at once against a budget of three a second: some are refused, and all get through.
    const sent = await Promise.all(
      Array.from({ length: 10 }, (_, i) => busy.send(SEND, { idempotencyKey: `k-${i}` })),
    );
    assert.equal(new Set(sent.map((s) => s.id)).size, 10);
    let refusals = 0;
    for (const list of attempts.values()) {
      assert.equal(list.at(-1)?.status, 202, 'every send got through in the end');
      for (let i = 0; i < list.length - 1; i++) {
        const refused = list[i]!;
        assert.equal(refused.status, 429);
        refusals++;
        const waitMs = Number(refused.retryAfter) * 1000;
        assert.ok(waitMs >= 1000);
        // Timers may fire a millisecond early; nothing is sent again before Retry-After has passed.
        assert.ok(list[i + 1]!.sent - refused.answered >= waitMs - 5, 'the retry waited for Retry-After');
      }
    }
    assert.ok(refusals > 0, 'the burst was refused at least once');
  });

  it('gives up after its bound, with the 429 as a typed error', async () => {
    const { apiKey } = await registerService(herald.admin, 'Impatient');
    const impatient = createHeraldClient({ baseUrl: url, apiKey, retries: 0 });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => impatient.api.GET('/v1/service').then((r) => r.response.status)),
    );
    assert.ok(results.some((r) => r.status === 'fulfilled' && r.value === 429));
    await assert.rejects(
      Promise.all(Array.from({ length: 12 }, () => impatient.send(SEND))),
      (err: unknown) => err instanceof HeraldError && err.status === 429 && err.code === 'rate_limited',
    );
  });

  it('pages through 250 items with an async iterator', async () => {
    const recipients = Array.from({ length: 250 }, (_, i) => `sub-${String(i).padStart(3, '0')}`);
    // One batch makes the 250 recipients (and 250 notifications), within the small rate budget.
    const batch = await herald1.sendBatch(
      recipients.map((id) => ({ ...SEND, recipient: { id, email: `${id}@example.com` } })),
    );
    assert.ok(batch.results.every((r) => r.status === 202));
    const { error } = await herald1.api.PUT('/v1/topics/{key}/subscribers', {
      params: { path: { key: 'releases' } },
      body: { recipients },
    });
    assert.equal(error, undefined);
    const pageSizes: number[] = [];
    const counting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (res.ok)
        pageSizes.push(((await res.clone().json()) as { subscribers: unknown[] }).subscribers.length);
      return res;
    };
    const pager = createHeraldClient({ baseUrl: url, apiKey: herald1Key, fetch: counting });
    const seen: string[] = [];
    for await (const s of pager.topicSubscribers('releases', { limit: '40' })) seen.push(s.id);
    assert.deepEqual(pageSizes, [40, 40, 40, 40, 40, 40, 10], 'seven pages of at most 40');
    assert.equal(seen.length, 250);
    assert.deepEqual([...seen].sort(), recipients);
  });

  it('pages through notifications by cursor, with none skipped or repeated where times tie', async () => {
    // The batch above stored its 250 notifications in one statement: they share timestamps, which
    // paging by a `before` time alone would skip; the cursor carries (time, id).
    const sent: { recipientId: string | null; createdAt: string }[] = [];
    for await (const n of herald1.notifications({ limit: '60' }))
      if (n.recipientId?.startsWith('sub-')) sent.push(n);
    assert.equal(sent.length, 250);
    assert.equal(new Set(sent.map((n) => n.recipientId)).size, 250);
    assert.ok(new Set(sent.map((n) => n.createdAt)).size < 250, 'some notifications share a time');
    const bad = await herald1.api.GET('/v1/notifications', { params: { query: { cursor: 'nope' } } });
    assert.equal(bad.response.status, 422);
  });

  it('throws typed errors for 401, 404 and 422', async () => {
    const stranger = createHeraldClient({ baseUrl: url, apiKey: 'hk_not_a_real_key' });
    await assert.rejects(stranger.send(SEND), (err: unknown) => {
      assert.ok(err instanceof HeraldError);
      assert.equal(err.status, 401);
      assert.equal(err.code, 'unauthorized');
      return true;
    });

    const missing = await herald1.api.GET('/v1/notifications/{id}', {
      params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
    });
    assert.equal(missing.response.status, 404);
    assert.equal(missing.error?.error.code, 'not_found');

    await assert.rejects(herald1.send({ ...SEND, type: 'never_registered' }), (err: unknown) => {
      assert.ok(err instanceof HeraldError);
      assert.equal(err.status, 422);
      assert.equal(err.code, 'unknown_notification_type');
      return true;
    });
    await assert.rejects(herald1.send({ ...SEND, priority: 'whenever' as 'high' }), (err: unknown) => {
      assert.ok(err instanceof HeraldError);
      assert.equal(err.status, 422);
      assert.equal(err.code, 'validation_failed');
      assert.ok(Array.isArray(err.details) && err.details.length > 0, 'details list the invalid fields');
      return true;
    });
  });
});
