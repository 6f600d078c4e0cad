/**
 * A broadcast on PostgreSQL with a worker process killed (SIGKILL) in the middle of the fan-out: the
 * next worker resumes from the stored cursor, and every recipient ends with exactly one delivery.
 * While the broadcast drains, a one-to-one notification in the same lane is sent ahead of it; then
 * cancelling the broadcast ends what was not yet sent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Herald } from '../../src/main.ts';
import { client, eventually, registerService, type Client } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig, type HeraldProcess } from '../helpers/herald-process.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';

const AUDIENCE = 20_000;

describe('a broadcast killed mid fan-out', { skip: skipWithoutPg }, () => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let apiHerald: Herald;
  let api: Client;
  let sql: pg.Client;
  let env: Record<string, string>;
  const workers: HeraldProcess[] = [];
  let broadcastId = '';

  const one = async <T>(text: string, params: unknown[] = []): Promise<T> =>
    (await sql.query(text, params)).rows[0] as T;

  before(async () => {
    database = await freshDatabase();
    smtp = await startSmtp();
    apiHerald = await startInProcess({ databaseUrl: database.url, worker: false });
    const service = await registerService(client(apiHerald.url ?? '', TEST_ADMIN_TOKEN), 'Trinkerr', [
      'trade_executed',
      'password_reset',
    ]);
    api = client(apiHerald.url ?? '', service.apiKey);
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    await sql.query(
      `insert into recipients (service_id, id, email, attributes)
       select $1, 'u' || lpad(g::text, 6, '0'), 'u' || g || '@example.com', jsonb_build_object('portfolio', g % 50 * 1000)
         from generate_series(1, $2::int) g`,
      [service.id, AUDIENCE],
    );
    env = {
      DATABASE_URL: database.url,
      HERALD_SMTP_URL: smtp.url,
      // Small batches make many commits to kill between; a short lease lets the next worker resume soon.
      HERALD_FANOUT_BATCH: '200',
      HERALD_CONFIG: writeConfig(tempDir(), { worker: { leaseMs: 2000, sweepMs: 500, pollMs: 200 } }),
    };
  });

  after(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await sql?.end();
    await apiHerald?.stop();
    await smtp?.close();
    await database?.drop();
  });

  it('resumes after SIGKILL with no duplicate and no missing delivery', async () => {
    workers.push(await startHeraldProcess('worker', env));
    const res = await api.post('/v1/notifications', {
      type: 'trade_executed',
      audience: 'all',
      channels: ['email'],
      data: { executedQty: 50, traderPortfolio: 100000 },
      content: {
        email: {
          subject: 'Trade alert',
          text: '{{ executedQty | times: recipient.portfolio | divided_by: traderPortfolio }}',
        },
      },
    });
    assert.equal(res.status, 202);
    broadcastId = res.body.id;

    await eventually(
      async () => {
        const p = await one<{ planned: number }>(
          'select planned_count::int as planned from notifications where id = $1',
          [broadcastId],
        );
        return p.planned >= 1000;
      },
      { intervalMs: 10, what: 'the fan-out to start' },
    );
    await workers[0]?.stop('SIGKILL');
    const atKill = await one<{ planned: number; total: number; status: string }>(
      'select planned_count::int as planned, total_count::int as total, plan_status as status from notifications where id = $1',
      [broadcastId],
    );
    assert.equal(atKill.total, AUDIENCE);
    assert.equal(atKill.status, 'planning', 'the worker died mid fan-out');
    assert.ok(atKill.planned < AUDIENCE);
    // The cursor and the deliveries commit together: what was counted is exactly what was written.
    const written = await one<{ n: number }>(
      'select count(*)::int as n from deliveries where notification_id = $1',
      [broadcastId],
    );
    assert.equal(written.n, atKill.planned);

    const next = await startHeraldProcess('worker', env);
    workers.push(next);
    const resumed = await next.waitForLog(/"planned":(\d+)[^\n]*resuming broadcast/);
    assert.equal(Number(/"planned":(\d+)/.exec(resumed)?.[1]), atKill.planned);
    await eventually(
      async () =>
        (await one<{ s: string }>('select plan_status as s from notifications where id = $1', [broadcastId]))
          .s === 'planned',
      { timeoutMs: 60_000, what: 'the broadcast to be planned' },
    );
    const counts = await one<{ rows: number; recipients: number; planned: number }>(
      `select count(*)::int as rows, count(distinct recipient_id)::int as recipients,
              (select planned_count::int from notifications where id = $1) as planned
         from deliveries where notification_id = $1`,
      [broadcastId],
    );
    assert.deepEqual(counts, { rows: AUDIENCE, recipients: AUDIENCE, planned: AUDIENCE });
  });

  it('sends a one-to-one notification ahead of the draining broadcast', async () => {
    // Made after the broadcast was counted, so it is not part of "everyone".
    assert.equal((await api.put('/v1/recipients/vip', { email: 'vip@example.com' })).status, 201);
    const res = await api.post('/v1/notifications', {
      type: 'password_reset',
      recipient: 'vip',
      channels: ['email'],
      content: { email: { subject: 'Reset', text: 'Your code is 123456' } },
    });
    assert.equal(res.status, 202);
    await eventually(
      async () => {
        const d = await one<{ status: string } | undefined>(
          'select status from deliveries where notification_id = $1',
          [res.body.id],
        );
        return d?.status === 'sent';
      },
      { timeoutMs: 60_000, what: 'the one-to-one delivery to be sent' },
    );
    const waiting = await one<{ n: number }>(
      `select count(*)::int as n from deliveries where notification_id = $1 and status = 'queued'`,
      [broadcastId],
    );
    assert.ok(waiting.n > 0, 'the broadcast was still draining when the one-to-one message went out');
  });

  it('cancels what the broadcast has not sent yet', async () => {
    const res = await api.post(`/v1/notifications/${broadcastId}/cancel`);
    assert.equal(res.status, 200);
    assert.ok(res.body.cancelledDeliveries > 0);
    const view = await eventually(
      async () => {
        const v = await api.get(`/v1/notifications/${broadcastId}`);
        const d = v.body.progress.deliveries as Record<string, number>;
        return !d.queued && !d.sending ? v.body : undefined;
      },
      { what: 'in-flight sends to finish' },
    );
    assert.equal(view.status, 'cancelled');
    const d = view.progress.deliveries as Record<string, number>;
    assert.equal((d.sent ?? 0) + (d.cancelled ?? 0), AUDIENCE);
    assert.ok((d.sent ?? 0) > 0);
    assert.equal(d.cancelled, AUDIENCE - (d.sent ?? 0));
    assert.deepEqual(view.deliveries, []);
  });
});
