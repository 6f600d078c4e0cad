/**
 * Concurrent batches naming the same inline recipients in different orders: each batch upserts its
 * recipients in one transaction, so the rows must be locked in one order whatever the request's, or
 * two batches wait on each other and one is aborted with a deadlock (a 500 for a valid request).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

describe('POST /v1/notifications/batch under concurrency', { skip: skipWithoutPg }, () => {
  let herald: InProcess;
  let api: Client & { id: string };

  before(async () => {
    herald = await startInProcess({}, { api: true, worker: false });
    api = await herald.service();
  });

  after(async () => {
    await herald?.stop();
  });

  const item = (id: string, round: number) => ({
    type: 'order_shipped',
    // Fields given for a recipient that exists already: the batch updates its row.
    recipient: { id, email: `${id}@example.com`, attributes: { round } },
    channels: ['email'],
    content: { email: { subject: `round ${round}`, text: 'hello' } },
  });

  it('accepts batches that name the same recipients in opposite orders', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `r${String(i).padStart(3, '0')}`);
    const first = await api.post('/v1/notifications/batch', { notifications: ids.map((id) => item(id, 0)) });
    assert.equal(first.status, 200);
    for (let round = 1; round <= 8; round++) {
      const forward = ids.map((id) => item(id, round));
      const backward = [...ids].reverse().map((id) => item(id, round));
      const answers = await Promise.all([
        api.post('/v1/notifications/batch', { notifications: forward }),
        api.post('/v1/notifications/batch', { notifications: backward }),
        api.post('/v1/notifications/batch', {
          notifications: forward.slice(150).concat(forward.slice(0, 150)),
        }),
      ]);
      for (const res of answers) {
        assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
        const results = res.body.results as { status: number }[];
        assert.deepEqual(new Set(results.map((r) => r.status)), new Set([202]));
      }
    }
  });

  it('accepts batches that carry the same idempotency keys in opposite orders, once each', async () => {
    for (let round = 0; round < 6; round++) {
      const items = Array.from({ length: 300 }, (_, i) => ({
        type: 'order_shipped',
        recipient: { id: `k${i}`, email: `k${i}@example.com` },
        channels: ['email'],
        idempotencyKey: `round-${round}-item-${i}`,
        content: { email: { subject: `item ${i}`, text: 'hello' } },
      }));
      const answers = await Promise.all([
        api.post('/v1/notifications/batch', { notifications: items }),
        api.post('/v1/notifications/batch', { notifications: [...items].reverse() }),
      ]);
      const ids = answers.map((res) => {
        assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
        const results = res.body.results as { status: number; id: string }[];
        assert.deepEqual(new Set(results.map((r) => r.status)), new Set([202]));
        return results.map((r) => r.id);
      });
      // Each key was written once: both batches answer with the same id for it.
      assert.deepEqual(ids[0], [...(ids[1] ?? [])].reverse());
      assert.equal(new Set(ids[0]).size, items.length);
    }
  });
});
