/**
 * PostgreSQL mode end to end: `herald api` and `herald worker` as separate processes on one database,
 * a real SMTP server, and the failure cases an operator will meet: the worker down when notifications
 * arrive, and a worker killed with SIGKILL while it holds leases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig, type HeraldProcess } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';

const ADMIN = 'test-admin-token-0123456789';

describe('PostgreSQL mode: API and worker as separate processes', { skip: skipWithoutPg }, () => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let apiProc: HeraldProcess;
  let env: Record<string, string>;
  let api: Client;

  before(async () => {
    database = await freshDatabase();
    smtp = await startSmtp();
    const dir = tempDir();
    env = {
      DATABASE_URL: database.url,
      HERALD_ADMIN_TOKEN: ADMIN,
      HERALD_SMTP_URL: smtp.url,
      // A short lease so a killed worker's rows come back within the test; a short SMTP timeout so a
      // held connection does not outlive it.
      HERALD_CONFIG: writeConfig(dir, { worker: { leaseMs: 3000, sweepMs: 500, pollMs: 500 } }),
    };
    apiProc = await startHeraldProcess('api', env);
    const service = await registerService(client(apiProc.url, ADMIN));
    api = client(apiProc.url, service.apiKey);
    const put = await api.put('/v1/recipients/dana', { email: 'dana@example.com', phone: '+14155552671' });
    assert.equal(put.status, 201);
  });

  after(async () => {
    await apiProc?.stop();
    await smtp?.close();
    await database?.drop();
  });

  const send = (subject: string) =>
    api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: 'dana',
      channels: ['email'],
      data: { subject },
      content: { email: { subject: '{{ subject }}', text: 'Body of {{ subject }}' } },
    });

  it('holds notifications while no worker runs, and delivers them once one starts', async () => {
    const ids: string[] = [];
    for (const s of ['first', 'second', 'third']) {
      const res = await send(s);
      assert.equal(res.status, 202);
      ids.push(res.body.id);
    }
    // Nothing can move without a worker: every notification is still only accepted.
    for (const id of ids) assert.equal((await api.get(`/v1/notifications/${id}`)).body.status, 'accepted');
    assert.equal(smtp.messages.length, 0);

    const worker = await startHeraldProcess('worker', env);
    try {
      await smtp.waitFor(3);
      const subjects = smtp.messages.map((m) => m.subject).sort();
      assert.deepEqual(subjects, ['first', 'second', 'third']);
      for (const id of ids) {
        const n = await waitForNotification(api, id);
        assert.equal(n.deliveries[0].status, 'sent');
        assert.equal(n.deliveries[0].attempts.length, 1);
        assert.equal(n.deliveries[0].attempts[0].outcome, 'sent');
      }
    } finally {
      assert.equal(await worker.stop('SIGTERM'), 0, 'a SIGTERM drains and exits cleanly');
    }
  });

  it('reclaims the leases of a worker killed with SIGKILL, and loses nothing', async () => {
    smtp.mode = { kind: 'hold' };
    const before = smtp.messages.length;
    const worker = await startHeraldProcess('worker', env);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await send(`held-${i}`)).body.id);
    // Wait until the worker is inside the SMTP conversation for some of them, holding their leases.
    await eventually(async () => smtp.held > 0, { what: 'the worker to hold a lease mid-send' });
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::int as n from deliveries where status = 'sending'`,
      );
      assert.ok((rows[0]?.n ?? 0) > 0, 'some deliveries are leased when the worker dies');
      await worker.stop('SIGKILL');

      smtp.mode = { kind: 'accept' };
      const replacement = await startHeraldProcess('worker', env);
      try {
        for (const id of ids) await waitForNotification(api, id, 'completed', 30_000);
        const delivered = smtp.messages
          .slice(before)
          .map((m) => m.subject)
          .sort();
        assert.deepEqual(delivered, ids.map((_, i) => `held-${i}`).sort());
        // The lost attempts are on record, each explained.
        const lost = await db.query<{ n: number }>(
          `select count(*)::int as n from delivery_attempts where outcome = 'lease_expired'`,
        );
        assert.ok((lost.rows[0]?.n ?? 0) > 0);
        const stuck = await db.query<{ n: number }>(
          `select count(*)::int as n from deliveries where status not in ('sent','failed','dead','suppressed')`,
        );
        assert.equal(stuck.rows[0]?.n, 0);
      } finally {
        await replacement.stop();
      }
    } finally {
      await db.end();
    }
  });

  it('answers /readyz and /docs', async () => {
    const ready = await client(apiProc.url).get('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body.checks, { database: true, migrations: true });
    const docs = await client(apiProc.url).get('/docs/json');
    assert.equal(docs.status, 200);
    assert.ok(docs.body.paths['/v1/notifications']);
  });

  it('fails a delivery with channel_not_configured when a channel has no provider', async () => {
    const worker = await startHeraldProcess('worker', env);
    try {
      const res = await api.post('/v1/notifications', {
        type: 'order_shipped',
        recipient: 'dana',
        channels: ['sms'],
        content: { sms: { text: 'hello' } },
      });
      assert.equal(res.status, 202);
      const n = await waitForNotification(api, res.body.id);
      assert.equal(n.deliveries[0].status, 'failed');
      assert.equal(n.deliveries[0].reason, 'channel_not_configured');
      assert.equal(n.deliveries[0].attempts[0].errorCode, 'channel_not_configured');
    } finally {
      await worker.stop();
    }
  });
});
