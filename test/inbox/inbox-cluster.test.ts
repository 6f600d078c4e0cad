/**
 * Several processes on one PostgreSQL, as in production: two `herald api` and one `herald worker`.
 * A browser-like client holds a WebSocket on API process A; the notification is accepted by API
 * process B and written to the inbox by the worker; the event still reaches the client on A. Once
 * over PostgreSQL LISTEN/NOTIFY, once over Redis pub/sub. Also: a ticket made by B opens a stream on
 * A, and no ticket ever reaches a log line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client } from '../helpers/api.ts';
import { startHeraldProcess, type HeraldProcess } from '../helpers/herald-process.ts';
import pg from 'pg';
import {
  addRecipients,
  inboxService,
  openStream,
  recipientClient,
  sendInApp,
  ticketFor,
  type InboxService,
} from '../helpers/inbox.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';
import { REDIS_URL, skipWithoutRedis, subscribers } from '../helpers/redis.ts';

const ADMIN = 'test-admin-token-0123456789';

function cluster(bus: 'postgres' | 'redis') {
  return () => {
    let database: TestDatabase;
    let a: HeraldProcess;
    let b: HeraldProcess;
    let worker: HeraldProcess;
    let svc: InboxService;

    before(async () => {
      database = await freshDatabase();
      const env = {
        DATABASE_URL: database.url,
        HERALD_ADMIN_TOKEN: ADMIN,
        ...(bus === 'redis' ? { REDIS_URL } : {}),
      };
      // Migrations run at start; let one process apply them before the others race for them.
      a = await startHeraldProcess('api', env);
      [b, worker] = await Promise.all([startHeraldProcess('api', env), startHeraldProcess('worker', env)]);
    });

    after(async () => {
      await Promise.all([a?.stop(), b?.stop(), worker?.stop()]);
      await database?.drop();
    });

    it(`delivers an item accepted by API process B to a client connected to API process A (${bus})`, async () => {
      for (const p of [a, b]) assert.match(p.output(), new RegExp(`"inboxBus":"${bus}"`));
      if (bus === 'redis')
        assert.ok((await subscribers('herald:inbox')) >= 2, 'both API processes subscribe');
      svc = await inboxService(b.url, client(b.url, ADMIN));
      await addRecipients(svc, ['ann', 'bo']);

      // The ticket is made by B and spent on A: tickets live in the shared database.
      const ticket = await ticketFor(b.url, svc, 'ann');
      const stream = await openStream(a.url, ticket);
      await stream.waitFor((m) => m[0]?.type === 'ready', 'ready from A');

      const sentAt = Date.now();
      // svc.api talks to B: B accepts it, the worker writes it, A must hear of it.
      await sendInApp(svc, 'ann', { title: 'Accepted by B', body: 'x' });
      await stream.waitFor((m) => m.some((x) => x.type === 'item.created'), 'the item on A');
      console.log(`# ${bus}: accepted by B → received on A in ${Date.now() - sentAt} ms`);
      const created = stream.events()[0];
      assert.equal(created.item.title, 'Accepted by B');
      assert.deepEqual(created.counts, { unread: 1, unseen: 1 });

      // A mark made through B reaches A too.
      const read = await recipientClient(b.url, svc, 'ann').post(`/v1/inbox/items/${created.item.id}/read`);
      assert.equal(read.status, 200);
      await stream.waitFor((m) => m.some((x) => x.type === 'item.updated'), 'the update on A');
      assert.deepEqual(stream.events()[1].counts, { unread: 0, unseen: 0 });
      await stream.close();

      // The stream URL was logged by A, without the ticket in it.
      await a.waitForLog(/"url":"\/v1\/inbox\/stream\?ticket=\[redacted\]/);
      assert.equal(a.output().includes(ticket), false, 'the ticket is in no log line');
      assert.equal(b.output().includes(ticket), false);
    });

    if (bus === 'postgres') {
      it('catches a socket up after its API process lost and re-made its LISTEN connection', async () => {
        const stream = await openStream(a.url, await ticketFor(a.url, svc, 'bo'));
        await stream.waitFor((m) => m[0]?.type === 'ready', 'ready from A');
        const admin = new pg.Client({ connectionString: database.url });
        await admin.connect();
        try {
          const killed = await admin.query(
            `select pg_terminate_backend(pid) from pg_stat_activity
              where datname = current_database() and query ilike 'listen herald_inbox%'`,
          );
          assert.ok((killed.rowCount ?? 0) >= 2, 'both API processes had an inbox listener');
        } finally {
          await admin.end();
        }
        // Sent while the listeners are down: its NOTIFY reaches nobody; the reconnect must make up for it.
        await sendInApp(svc, 'bo', { title: 'During the outage', body: 'x' });
        await stream.waitFor((m) => m.some((x) => x.item?.title === 'During the outage'), 'the item on A');
        await a.waitForLog(/"where":"inbox listener"/);
        await stream.close();
      });
    }
  };
}

describe(
  'inbox across processes over PostgreSQL LISTEN/NOTIFY',
  { skip: skipWithoutPg, timeout: 120_000 },
  cluster('postgres'),
);
describe(
  'inbox across processes over Redis pub/sub',
  { skip: skipWithoutPg || skipWithoutRedis, timeout: 120_000 },
  cluster('redis'),
);
