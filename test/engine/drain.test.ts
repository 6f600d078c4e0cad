/**
 * Graceful drain with real processes: on SIGTERM a worker stops claiming, finishes the sends in
 * flight and records them, and gives back what it claimed but had not started — so a worker that
 * is stopped (not killed) causes no lease expiry and no duplicate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { client, eventually, registerService } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig, type HeraldProcess } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../fakes/webhook-receiver.ts';

describe('graceful drain', { skip: skipWithoutPg }, () => {
  let db: TestDatabase;
  let receiver: WebhookReceiver;
  const procs: HeraldProcess[] = [];
  let env: Record<string, string>;

  before(async () => {
    db = await freshDatabase();
    receiver = await startWebhookReceiver({ mode: { kind: 'slow', delayMs: 1500 } });
    env = {
      DATABASE_URL: db.url,
      HERALD_CONFIG: writeConfig(tempDir(), {
        // The test's webhook receiver listens on loopback.
        allowPrivateWebhookUrls: true,
        providers: { webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET }] },
        worker: { concurrency: 2, pollMs: 100, drainMs: 10_000 },
      }),
      HERALD_ADMIN_TOKEN: 'admin-token-0123456789abcdef',
    };
    procs.push(await startHeraldProcess('api', env));
  });

  after(async () => {
    for (const p of procs) await p.stop();
    await receiver?.close();
    await db?.drop();
  });

  it('finishes in-flight sends, releases the rest, and leaves nothing to reclaim', async () => {
    const api = client(
      procs[0]?.url ?? '',
      (await registerService(client(procs[0]?.url ?? '', env.HERALD_ADMIN_TOKEN))).apiKey,
    );
    for (let i = 0; i < 10; i++) {
      const res = await api.post('/v1/notifications', {
        type: 'order_shipped',
        recipient: { id: `r${i}` },
        channels: ['webhook'],
        content: { webhook: { url: receiver.url, payload: { i } } },
      });
      assert.equal(res.status, 202);
    }
    const worker = await startHeraldProcess('worker', env);
    await eventually(async () => receiver.pending() === 2, { what: 'two sends in flight' });
    assert.equal(await worker.stop('SIGTERM'), 0, 'the worker exits cleanly');

    const c = new pg.Client(db.url);
    await c.connect();
    try {
      const { rows } = await c.query<{ status: string; attempts: number }>(
        `select status, attempts from deliveries order by status`,
      );
      assert.equal(
        rows.filter((r) => r.status === 'sent').length,
        2,
        'the two in flight were finished and recorded',
      );
      const rest = rows.filter((r) => r.status !== 'sent');
      // Notifications not yet planned were given back to the planner too, so there may be fewer rows.
      assert.ok(rest.length <= 8);
      for (const r of rest) assert.deepEqual(r, { status: 'queued', attempts: 0 }, 'given back untouched');
    } finally {
      await c.end();
    }

    receiver.mode = { kind: 'accept' };
    procs.push(await startHeraldProcess('worker', env));
    await eventually(async () => receiver.received.size === 10, { what: 'all ten delivered' });
    assert.equal(receiver.duplicates().extra, 0);
    const c2 = new pg.Client(db.url);
    await c2.connect();
    try {
      const { rows } = await c2.query<{ n: string }>(
        `select count(*) as n from delivery_attempts where outcome = 'lease_expired'`,
      );
      assert.equal(rows[0]?.n, '0', 'no lease had to expire');
    } finally {
      await c2.end();
    }
  });
});
