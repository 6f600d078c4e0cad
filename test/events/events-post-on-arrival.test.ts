/**
 * `POST /v1/events` expands each event under its rule as it stores it, as the broker sources do, on
 * real PostgreSQL. Herald runs here with its API only: no events lane runs, so an event the answer
 * shows finished was finished by the request that stored it. Matched, unmatched and filtered events;
 * replays and conflicts by id, which add no notifications; a batch of many; and an event whose
 * notification key a client took already, finished at once and naming that client's notification.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyEventStore } from '../../src/adapters/store/kysely-events.ts';
import { client, registerService, type Client } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

const RULE = {
  notifications: [
    {
      type: 'order_shipped',
      to: { recipient: '/userId' },
      channels: ['email'],
      condition: 'total > 0',
    },
    { type: 'order_shipped', to: { topic: 'shop:{{ shop }}' }, channels: ['in_app'] },
  ],
};

interface Outcome {
  index: number;
  type: string;
  status: 'created' | 'skipped';
  reason?: string;
  notificationId?: string;
}

describe('POST /v1/events expands events as it stores them', { skip: skipWithoutPg }, () => {
  let h: InProcess;
  let database: Database;
  let api: Client;
  let serviceId: string;

  const event = async (id: string) => {
    const res = await api.get(`/v1/events/${id}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { status: string; notifications: Outcome[] | null };
  };
  const notificationsOf = async (eventId: string) =>
    (
      await sql<{ id: string; idempotency_key: string }>`
        select id, idempotency_key from notifications
         where service_id = ${serviceId} and idempotency_key like ${`event:${eventId}:%`}
         order by idempotency_key`.execute(database.db)
    ).rows;

  before(async () => {
    h = await startInProcess({}, { worker: false });
    database = await connect({ databaseUrl: h.database.url, dataDir: 'unused' });
    const service = await registerService(h.admin, 'Shop', ['order_shipped']);
    serviceId = service.id;
    api = client(h.herald.url ?? '', service.apiKey);
    const saved = await api.put('/v1/triggers/order.shipped', RULE);
    assert.equal(saved.status, 201, JSON.stringify(saved.body));
  });
  after(async () => {
    await database?.close();
    await h?.stop();
  });

  it('a matched event is stored finished, with its notifications, before the 202', async () => {
    const sent = await api.post('/v1/events', {
      id: 'o-1',
      name: 'order.shipped',
      payload: { userId: 'u1', shop: 'north', total: 30 },
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    assert.deepEqual(sent.body, { id: 'o-1', status: 'accepted', replayed: false });
    const view = await event('o-1');
    assert.equal(view.status, 'processed');
    const made = await notificationsOf('o-1');
    assert.deepEqual(
      made.map((n) => n.idempotency_key),
      ['event:o-1:0', 'event:o-1:1'],
    );
    assert.deepEqual(view.notifications, [
      { index: 0, type: 'order_shipped', status: 'created', notificationId: made[0]?.id },
      { index: 1, type: 'order_shipped', status: 'created', notificationId: made[1]?.id },
    ]);
    const topic = await api.get(`/v1/notifications/${made[1]?.id}`);
    assert.equal(topic.status, 200);
    assert.deepEqual(topic.body.audience, { kind: 'topic', topic: 'shop:north' });
    assert.deepEqual(topic.body.channels, ['in_app']);
  });

  it('a notification whose condition is false is skipped, the others created', async () => {
    assert.equal(
      (
        await api.post('/v1/events', {
          id: 'o-free',
          name: 'order.shipped',
          payload: { userId: 'u1', shop: 'north', total: 0 },
        })
      ).status,
      202,
    );
    const view = await event('o-free');
    assert.equal(view.status, 'processed');
    const made = await notificationsOf('o-free');
    assert.deepEqual(
      made.map((n) => n.idempotency_key),
      ['event:o-free:1'],
    );
    assert.deepEqual(view.notifications, [
      { index: 0, type: 'order_shipped', status: 'skipped', reason: 'condition is false' },
      { index: 1, type: 'order_shipped', status: 'created', notificationId: made[0]?.id },
    ]);
  });

  it('an event no rule matches is recorded unmatched at once', async () => {
    assert.equal(
      (await api.post('/v1/events', { id: 'login-1', name: 'user.logged_in', payload: { userId: 'u1' } }))
        .status,
      202,
    );
    const view = await event('login-1');
    assert.equal(view.status, 'unmatched');
    assert.deepEqual(view.notifications, []);
  });

  it('the same id and body is a replay that adds nothing; another body is a 409 that writes nothing', async () => {
    const body = { id: 'o-2', name: 'order.shipped', payload: { userId: 'u2', shop: 'south', total: 5 } };
    assert.equal((await api.post('/v1/events', body)).status, 202);
    const first = await event('o-2');
    const again = await api.post('/v1/events', body);
    assert.equal(again.status, 202);
    assert.equal(again.body.replayed, true);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await event('o-2'), first, 'a replay leaves the event as it was');
    assert.equal((await notificationsOf('o-2')).length, 2, 'a replay adds no notification');

    // A fresh event beside a changed body: refused whole; neither the fresh event nor its
    // notifications are written.
    const refused = await api.post('/v1/events', {
      events: [
        { id: 'o-fresh', name: 'order.shipped', payload: { userId: 'u3', shop: 'east', total: 1 } },
        { ...body, payload: { ...body.payload, total: 6 } },
      ],
    });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'idempotency_conflict');
    assert.deepEqual(refused.body.error.details.ids, ['o-2']);
    assert.equal((await api.get('/v1/events/o-fresh')).status, 404);
    assert.deepEqual(await notificationsOf('o-fresh'), []);
    assert.equal((await notificationsOf('o-2')).length, 2);
  });

  it('a batch of many is stored finished in one request, matched and unmatched alike', async () => {
    const events = Array.from({ length: 600 }, (_, i) =>
      i % 3 === 2
        ? { id: `m-${i}`, name: 'page.viewed', payload: { i } }
        : { id: `m-${i}`, name: 'order.shipped', payload: { userId: `u${i}`, shop: 'west', total: i % 3 } },
    );
    const sent = await api.post('/v1/events', { events });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    // Answered in the order sent, whatever order they were stored in.
    assert.deepEqual(
      sent.body.events.map((e: { id: string; replayed: boolean }) => e.id),
      events.map((e) => e.id),
    );
    assert.ok(sent.body.events.every((e: { replayed: boolean }) => !e.replayed));
    const { rows } = await sql<{ status: string; n: number }>`
      select status, count(*)::int as n from events
       where service_id = ${serviceId} and id like 'm-%' group by status order by status`.execute(
      database.db,
    );
    assert.deepEqual(rows, [
      { status: 'processed', n: 400 },
      { status: 'unmatched', n: 200 },
    ]);
    // total 1 (i % 3 = 1): both notifications; total 0 (i % 3 = 0): the topic one only.
    const { rows: made } = await sql<{ n: number }>`
      select count(*)::int as n from notifications
       where service_id = ${serviceId} and idempotency_key like 'event:m-%'`.execute(database.db);
    assert.equal(made[0]?.n, 200 * 2 + 200);
    const one = await event('m-4');
    assert.equal(one.status, 'processed');
    assert.deepEqual(
      one.notifications?.map((n) => n.status),
      ['created', 'created'],
    );
    assert.ok(one.notifications?.every((n) => n.notificationId));
    assert.equal((await event('m-5')).status, 'unmatched');
  });

  it('an event whose notification key a client took already is finished at once, naming that notification', async () => {
    const taken = await api.post(
      '/v1/notifications',
      {
        type: 'order_shipped',
        recipient: { id: 'u9', email: 'u9@example.com' },
        channels: ['email'],
        content: { email: { subject: 'sent by hand', text: 'hello' } },
      },
      { 'idempotency-key': 'event:o-taken:0' },
    );
    assert.equal(taken.status, 202, JSON.stringify(taken.body));
    const sent = await api.post('/v1/events', {
      id: 'o-taken',
      name: 'order.shipped',
      payload: { userId: 'u9', shop: 'north', total: 9 },
    });
    assert.equal(sent.status, 202);
    const done = await event('o-taken');
    assert.equal(done.status, 'processed');
    const made = await notificationsOf('o-taken');
    assert.equal(made.length, 2);
    assert.equal(made[0]?.id, taken.body.id, 'the key stays with the notification that took it');
    assert.deepEqual(
      done.notifications?.map((n) => n.notificationId),
      made.map((n) => n.id),
      'the outcome names the holder of each key',
    );
    // Nothing was left to the lane.
    assert.deepEqual(await kyselyEventStore(database.db).claim('lane', 100, 60_000), []);
  });
});
