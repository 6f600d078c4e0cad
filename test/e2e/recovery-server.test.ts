/**
 * Server mode with real worker processes on PostgreSQL: a worker killed with SIGKILL has its leases
 * handed to another worker within seconds (its liveness lock died with its session), while a worker
 * paused with SIGSTOP — alive, connection open, lock held — keeps every lease it holds. Leases are
 * ten minutes long here, so only the liveness lock can explain a quick reclaim.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig, type HeraldProcess } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../fakes/webhook-receiver.ts';

const ADMIN = 'test-admin-token-0123456789';

describe('server mode: dead and paused workers', { skip: skipWithoutPg }, () => {
  let database: TestDatabase;
  let receiver: WebhookReceiver;
  let apiProc: HeraldProcess;
  let env: Record<string, string>;
  let api: Client;
  let db: pg.Client;
  const workers: HeraldProcess[] = [];

  before(async () => {
    database = await freshDatabase();
    receiver = await startWebhookReceiver();
    env = {
      DATABASE_URL: database.url,
      HERALD_ADMIN_TOKEN: ADMIN,
      HERALD_CONFIG: writeConfig(tempDir(), {
        allowPrivateWebhookUrls: true,
        providers: {
          webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET, timeoutMs: 60_000 }],
        },
        worker: { leaseMs: 600_000, pollMs: 200, ownerCheckMs: 500, deadOwnerGraceMs: 2000 },
      }),
    };
    apiProc = await startHeraldProcess('api', env);
    api = client(apiProc.url, (await registerService(client(apiProc.url, ADMIN))).apiKey);
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  });

  after(async () => {
    for (const w of workers) {
      w.child.kill('SIGCONT');
      await w.stop('SIGKILL');
    }
    await apiProc?.stop();
    await db?.end();
    await receiver?.close();
    await database?.drop();
  });

  async function worker(): Promise<{ proc: HeraldProcess; owner: string }> {
    const proc = await startHeraldProcess('worker', env);
    workers.push(proc);
    const line = await proc.waitForLog(/"owner":"[^"]+"[^\n]*"msg":"worker started"/);
    return { proc, owner: /"owner":"([^"]+)"/.exec(line)?.[1] ?? '' };
  }

  async function send(n: number, tag: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await api.post('/v1/notifications', {
        type: 'order_shipped',
        recipient: { id: `${tag}-${i}` },
        channels: ['webhook'],
        content: { webhook: { url: receiver.url, payload: { tag, i } } },
      });
      assert.equal(res.status, 202);
      ids.push(res.body.id);
    }
    return ids;
  }

  const heldBy = async (owner: string) =>
    (
      await db.query<{ id: string }>(
        `select id from deliveries where status = 'sending' and lease_owner = $1 order by id`,
        [owner],
      )
    ).rows.map((r) => r.id);

  it("hands a SIGKILLed worker's leases to another worker within 10 s", async (t) => {
    receiver.mode = { kind: 'slow', delayMs: 300_000 };
    const a = await worker();
    const ids = await send(6, 'kill');
    await eventually(async () => (await heldBy(a.owner)).length === 6, { what: 'worker A to hold all six' });
    await eventually(async () => receiver.pending() === 6, { what: 'six sends in flight' });
    const held = await heldBy(a.owner);
    const b = await worker();
    receiver.mode = { kind: 'accept' };

    const killedAt = Date.now();
    await a.proc.stop('SIGKILL');
    for (const id of ids) await waitForNotification(api, id, 'completed', 60_000);

    const { rows } = await db.query<{ delivery_id: string; reclaimed_at: Date; outcomes: string[] }>(
      `select a.delivery_id,
              a.started_at + a.duration_ms * interval '1 millisecond' as reclaimed_at,
              (select array_agg(b.outcome order by b.id) from delivery_attempts b
                where b.delivery_id = a.delivery_id) as outcomes
         from delivery_attempts a where a.outcome = 'lease_expired' order by a.delivery_id`,
    );
    assert.deepEqual(
      rows.map((r) => r.delivery_id),
      held,
      'exactly the dead worker’s deliveries were reclaimed',
    );
    let slowest = 0;
    for (const r of rows) {
      assert.deepEqual(r.outcomes, ['lease_expired', 'sent']);
      const seconds = (r.reclaimed_at.getTime() - killedAt) / 1000;
      assert.ok(seconds < 10, `reclaimed ${seconds.toFixed(1)} s after the kill`);
      slowest = Math.max(slowest, seconds);
    }
    t.diagnostic(`every lease reclaimed within ${slowest.toFixed(1)} s of the SIGKILL`);
    const sentBy = await db.query<{ n: number }>(
      `select count(*)::int as n from deliveries where id = any($1) and status = 'sent'`,
      [held],
    );
    assert.equal(sentBy.rows[0]?.n, 6);
    const left = await db.query<{ n: number }>(
      `select count(*)::int as n from worker_owners where owner = $1`,
      [a.owner],
    );
    assert.equal(left.rows[0]?.n, 0, 'the dead owner left the register');
    await b.proc.stop();
  });

  it('leaves a paused (SIGSTOPped) worker its leases while another worker watches', async () => {
    receiver.mode = { kind: 'slow', delayMs: 20_000 };
    const before = receiver.receipts.length;
    const c = await worker();
    const ids = await send(5, 'pause');
    await eventually(async () => (await heldBy(c.owner)).length === 5, { what: 'worker C to hold all five' });
    const watcher = await worker();
    c.proc.child.kill('SIGSTOP');
    try {
      // Well past the grace and the reclaim time the SIGKILL case shows.
      await new Promise((r) => setTimeout(r, 10_000));
      assert.equal((await heldBy(c.owner)).length, 5, 'the paused worker still holds every lease');
      const lost = await db.query<{ n: number }>(
        `select count(*)::int as n from delivery_attempts a join deliveries d on d.id = a.delivery_id
          where a.outcome = 'lease_expired' and d.notification_id = any($1)`,
        [ids],
      );
      assert.equal(lost.rows[0]?.n, 0);
    } finally {
      c.proc.child.kill('SIGCONT');
    }
    for (const id of ids) {
      const n = await waitForNotification(api, id, 'completed', 60_000);
      assert.deepEqual(
        n.deliveries[0].attempts.map((a: { outcome: string }) => a.outcome),
        ['sent'],
      );
    }
    // Each message reached the provider once: nobody sent it behind the paused worker's back.
    assert.equal(receiver.receipts.length - before, 5);
    await watcher.proc.stop();
    await c.proc.stop();
  });
});
