/**
 * Expansion on arrival, on real PostgreSQL: a broker source's batch is expanded under its rules as it
 * is stored, the event written once (finished, with its outcome) and its notifications in the same
 * statement. Exactly once by id (a replayed batch, or two copies stored at once, add nothing); an id
 * with another body is dead; unmatched and filtered events are recorded; an event whose expansion
 * fails goes to the events lane and is finished there; one whose notification key is taken is
 * finished at once, its outcome naming the holder of the key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyDeadEvents } from '../../src/adapters/store/kysely-dead-events.ts';
import { kyselyEventStore } from '../../src/adapters/store/kysely-events.ts';
import { kyselyNotificationTypeStore } from '../../src/adapters/store/kysely-notification-types.ts';
import { kyselyServiceStore } from '../../src/adapters/store/kysely-services.ts';
import { kyselyTriggerRules } from '../../src/adapters/store/kysely-trigger-rules.ts';
import { storeBatch } from '../../src/app/event-sources.ts';
import { expandOnArrival, processEvents } from '../../src/app/events.ts';
import { createMetadataCache } from '../../src/app/metadata-cache.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import type { SourceMessage } from '../../src/ports/event-source.ts';
import type { TriggerRuleStore } from '../../src/ports/events.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

describe('events expanded as a source stores them', { skip: skipWithoutPg }, () => {
  let pgdb: TestDatabase;
  let database: Database;
  let serviceId: string;
  const renderer = createTemplateRenderer();
  let ruleReads = 0;
  let failRules = false;
  const message = (id: string, payload: Record<string, unknown>, name = 'trade.executed'): SourceMessage => ({
    body: new TextEncoder().encode(JSON.stringify({ id, data: payload })),
    headers: { event: name },
    address: 'q',
  });
  const rules = (): TriggerRuleStore => {
    const store = kyselyTriggerRules(database.db);
    return {
      ...store,
      get: async (s, e) => {
        ruleReads++;
        if (failRules) throw new Error('connection lost');
        return store.get(s, e);
      },
    };
  };
  let cache = createMetadataCache({ announce: async () => undefined });
  const source = () => ({
    name: 'src',
    serviceId,
    spec: { eventName: { header: 'event' }, eventId: { field: '/id' }, payload: '/data' },
    maxRawBytes: 1024,
    events: kyselyEventStore(database.db),
    dead: kyselyDeadEvents(database.db),
    expand: expandOnArrival({
      rules: cache.rules(rules()),
      types: cache.types(kyselyNotificationTypeStore(database.db)),
      renderer,
    }),
  });
  // The event as GET /v1/events/{id} reads it: each created notification named by the holder of its key.
  const eventRow = async (id: string) => await kyselyEventStore(database.db).view(serviceId, id);
  const notificationsOf = async (eventId: string) =>
    (
      await sql<{ id: string; idempotency_key: string; audience: unknown; data: unknown }>`
        select id, idempotency_key, audience, data from notifications
         where service_id = ${serviceId} and idempotency_key like ${`event:${eventId}:%`}
         order by idempotency_key`.execute(database.db)
    ).rows;
  const lane = async () => {
    const store = kyselyEventStore(database.db);
    const claimed = await store.claim('lane', 100, 60_000);
    const deps = {
      owner: 'lane',
      events: store,
      rules: kyselyTriggerRules(database.db),
      types: kyselyNotificationTypeStore(database.db),
      renderer,
    };
    return processEvents(deps, claimed);
  };

  before(async () => {
    pgdb = await freshDatabase();
    database = await connect({ databaseUrl: pgdb.url, dataDir: 'unused' });
    await migrateToLatest(database.db);
    serviceId = uuidv7();
    await kyselyServiceStore(database.db).create(
      { id: serviceId, name: 'Trinkerr', types: [{ key: 'trade_executed', description: '' }] },
      { id: uuidv7(), publicId: uuidv7().replace(/-/g, '').slice(0, 16), secretHash: 'x', label: null },
    );
    await kyselyTriggerRules(database.db).put(serviceId, 'trade.executed', [
      {
        type: 'trade_executed',
        to: { topic: 'trader:{{ traderId }}' },
        channels: ['in_app'],
        condition: 'quantity > 0',
      },
      { type: 'trade_executed', to: { recipient: '/traderUserId' }, channels: ['email'] },
    ]);
  });
  after(async () => {
    await database?.close();
    await pgdb?.drop();
  });

  it('writes each event finished, with its notifications, in the statement that stores it', async () => {
    const out = await storeBatch(source(), [
      message('a-1', { traderId: 42, quantity: 5, traderUserId: 't42' }),
      message('a-2', { traderId: 42, quantity: 0, traderUserId: 't42' }),
      message('a-3', { traderId: 7 }, 'trade.cancelled'),
    ]);
    assert.deepEqual(out, { accepted: 3, replayed: 0, dead: 0 });
    const one = await eventRow('a-1');
    assert.equal(one?.status, 'processed');
    const made = await notificationsOf('a-1');
    assert.deepEqual(
      made.map((n) => n.idempotency_key),
      ['event:a-1:0', 'event:a-1:1'],
    );
    assert.deepEqual(made[0]?.audience, { kind: 'topic', topic: 'trader:42' });
    assert.deepEqual(
      one?.outcome?.map((o) => [o.index, o.status, o.notificationId]),
      made.map((n, i) => [i, 'created', n.id]),
      'the outcome names the notifications written',
    );
    // The condition filters the first notification of a-2; the second is made.
    const two = await eventRow('a-2');
    assert.equal(two?.status, 'processed');
    assert.deepEqual(
      two?.outcome?.map((o) => o.status),
      ['skipped', 'created'],
    );
    assert.deepEqual(
      (await notificationsOf('a-2')).map((n) => n.idempotency_key),
      ['event:a-2:1'],
    );
    const three = await eventRow('a-3');
    assert.deepEqual([three?.status, three?.outcome], ['unmatched', []]);
    assert.equal(await lane(), 0, 'nothing left for the events lane');
  });

  it("writes the event's payload as a notification's data, or the rule's mapping of it", async () => {
    await kyselyTriggerRules(database.db).put(serviceId, 'trade.mapped', [
      {
        type: 'trade_executed',
        to: { recipient: '/traderUserId' },
        channels: ['email'],
        data: { qty: '/quantity' },
      },
      { type: 'trade_executed', to: { recipient: '/traderUserId' }, channels: ['email'] },
    ]);
    const payload = { traderUserId: 't1', quantity: 3, nested: { a: [1, 'two'] } };
    await storeBatch(source(), [message('m-1', payload, 'trade.mapped'), message('m-2', { quantity: 4 })]);
    assert.deepEqual(
      (await notificationsOf('m-1')).map((n) => n.data),
      [{ qty: 3 }, payload],
    );
    assert.deepEqual(
      (await notificationsOf('m-2')).map((n) => [n.idempotency_key, n.data]),
      [['event:m-2:0', { quantity: 4 }]],
    );
  });

  it('renders a topic key or condition once per distinct values in a batch', async () => {
    const renders: string[] = [];
    const counting = {
      ...renderer,
      render: (source: string, vars: Record<string, unknown>, mode?: 'text' | 'html') => {
        renders.push(`${source} ${JSON.stringify(vars.traderId ?? vars.quantity)}`);
        return renderer.render(source, vars, mode);
      },
    };
    const expand = expandOnArrival({
      rules: rules(),
      types: kyselyNotificationTypeStore(database.db),
      renderer: counting,
    });
    const event = (id: string, payload: Record<string, unknown>) => ({
      id,
      name: 'trade.executed',
      payload,
      occurredAt: null,
      requestHash: id,
    });
    const out = await expand(serviceId, [
      event('r-1', { traderId: 42, quantity: 1, traderUserId: 'u' }),
      event('r-2', { traderId: 42, quantity: 1, traderUserId: 'u' }),
      event('r-3', { traderId: 7, quantity: 1, traderUserId: 'u' }),
      event('r-4', { traderId: 42, quantity: 0, traderUserId: 'u' }),
    ]);
    assert.deepEqual(
      out.map((e) => e.expanded?.notifications.map((n) => JSON.stringify(n.audience))),
      [
        ['{"kind":"topic","topic":"trader:42"}', '{"kind":"recipients","ids":["u"]}'],
        ['{"kind":"topic","topic":"trader:42"}', '{"kind":"recipients","ids":["u"]}'],
        ['{"kind":"topic","topic":"trader:7"}', '{"kind":"recipients","ids":["u"]}'],
        ['{"kind":"recipients","ids":["u"]}'],
      ],
    );
    // The condition for quantity 1 and 0, the topic for traders 42 and 7: four renders, not seven.
    assert.equal(renders.length, 4, renders.join(' | '));
  });

  it('stores an event once by id: a batch again, and two copies at once, add nothing', async () => {
    const batch = [message('b-1', { traderId: 1, quantity: 1, traderUserId: 'u1' })];
    assert.deepEqual(await storeBatch(source(), batch), { accepted: 1, replayed: 0, dead: 0 });
    assert.deepEqual(await storeBatch(source(), batch), { accepted: 0, replayed: 1, dead: 0 });
    const both = [message('b-2', { traderId: 2, quantity: 1, traderUserId: 'u2' })];
    const results = await Promise.all([storeBatch(source(), both), storeBatch(source(), both)]);
    assert.equal(
      results.reduce((n, r) => n + r.accepted, 0),
      1,
    );
    assert.equal(
      results.reduce((n, r) => n + r.replayed, 0),
      1,
    );
    for (const id of ['b-1', 'b-2']) {
      assert.equal((await notificationsOf(id)).length, 2, id);
      assert.equal((await eventRow(id))?.status, 'processed');
    }
    // The same id with another body is a dead event; the first stays as it was.
    const out = await storeBatch(source(), [
      message('b-1', { traderId: 1, quantity: 99, traderUserId: 'u1' }),
    ]);
    assert.deepEqual(out, { accepted: 0, replayed: 0, dead: 1 });
    assert.equal((await notificationsOf('b-1')).length, 2);
  });

  it('stores the new events of a redelivered batch finished, beside the ones it replays', async () => {
    // A broker hands a batch out again (an ack was lost) with new messages behind it: the replayed
    // events' keys exist (they are their own), which takes no key of the new ones.
    const old = message('r-1', { traderId: 3, quantity: 1, traderUserId: 'u3' });
    assert.deepEqual(await storeBatch(source(), [old]), { accepted: 1, replayed: 0, dead: 0 });
    const out = await storeBatch(source(), [
      old,
      message('r-2', { traderId: 3, quantity: 2, traderUserId: 'u3' }),
    ]);
    assert.deepEqual(out, { accepted: 1, replayed: 1, dead: 0 });
    assert.equal((await eventRow('r-2'))?.status, 'processed', 'finished as it was stored');
    assert.equal((await notificationsOf('r-2')).length, 2);
    assert.equal(await lane(), 0, 'nothing left for the events lane');
  });

  it('reads the rule once for many batches, and again once a rule is changed', async () => {
    cache = createMetadataCache({ announce: async () => undefined });
    const s = source();
    ruleReads = 0;
    await storeBatch(s, [message('c-1', { traderId: 1, quantity: 1, traderUserId: 'u' })]);
    await storeBatch(s, [message('c-2', { traderId: 1, quantity: 1, traderUserId: 'u' })]);
    assert.equal(ruleReads, 1);
    // A rule saved through the cache clears it: the next batch expands under the new rule.
    await cache
      .rules(kyselyTriggerRules(database.db))
      .put(serviceId, 'trade.executed', [
        { type: 'trade_executed', to: { recipient: '/traderUserId' }, channels: ['email'] },
      ]);
    await storeBatch(s, [message('c-3', { traderId: 1, quantity: 1, traderUserId: 'u' })]);
    assert.equal(ruleReads, 2);
    assert.deepEqual(
      (await notificationsOf('c-3')).map((n) => n.idempotency_key),
      ['event:c-3:0'],
    );
    await kyselyTriggerRules(database.db).put(serviceId, 'trade.executed', [
      {
        type: 'trade_executed',
        to: { topic: 'trader:{{ traderId }}' },
        channels: ['in_app'],
        condition: 'quantity > 0',
      },
      { type: 'trade_executed', to: { recipient: '/traderUserId' }, channels: ['email'] },
    ]);
    cache.invalidate();
  });

  it('leaves an event it cannot expand to the events lane, which finishes it', async () => {
    cache = createMetadataCache({ announce: async () => undefined });
    failRules = true;
    try {
      const out = await storeBatch(source(), [
        message('d-1', { traderId: 3, quantity: 1, traderUserId: 'u3' }),
      ]);
      assert.deepEqual(out, { accepted: 1, replayed: 0, dead: 0 });
    } finally {
      failRules = false;
    }
    assert.equal((await eventRow('d-1'))?.status, 'pending');
    assert.equal((await notificationsOf('d-1')).length, 0);
    assert.equal(await lane(), 1);
    assert.equal((await eventRow('d-1'))?.status, 'processed');
    assert.equal((await notificationsOf('d-1')).length, 2);
  });

  it('stores a batch with a notification key taken already finished, its outcome naming the holder', async () => {
    // A client's own notification under the key the event's first notification would take.
    const holder = uuidv7();
    await sql`
      insert into notifications (id, service_id, type, recipient_id, audience, channels, data, content,
                                 priority, idempotency_key, request_hash)
      values (${holder}, ${serviceId}, 'trade_executed', null, '{"kind":"topic","topic":"x"}'::jsonb,
              '["in_app"]'::jsonb, '{}'::jsonb, '{}'::jsonb, 1, 'event:e-1:0', 'h')`.execute(database.db);
    const out = await storeBatch(source(), [
      message('e-1', { traderId: 4, quantity: 1, traderUserId: 'u4' }),
      message('e-2', { traderId: 4, quantity: 1, traderUserId: 'u4' }),
    ]);
    assert.deepEqual(out, { accepted: 2, replayed: 0, dead: 0 });
    const e1 = await eventRow('e-1');
    assert.equal(e1?.status, 'processed');
    assert.equal((await eventRow('e-2'))?.status, 'processed');
    assert.equal(await lane(), 0, 'nothing is left to the lane');
    // The holder's notification under the first key, the event's own under the second.
    const made = await notificationsOf('e-1');
    assert.deepEqual(
      made.map((n) => n.id),
      [holder, e1?.outcome?.[1]?.notificationId],
    );
    assert.equal(e1?.outcome?.[0]?.notificationId, holder);
    assert.equal((await notificationsOf('e-2')).length, 2);
  });

  it('names the holder of a key another transaction took while the batch was being stored', async () => {
    // A client's notification under the event's first key, inserted and not yet committed: the
    // store's probe does not see it, and its insert of that key waits for this transaction.
    const other = await database.db.connection().execute(async (conn) => {
      const holder = uuidv7();
      await sql`begin`.execute(conn);
      await sql`
        insert into notifications (id, service_id, type, recipient_id, audience, channels, data, content,
                                   priority, idempotency_key, request_hash)
        values (${holder}, ${serviceId}, 'trade_executed', null, '{"kind":"topic","topic":"x"}'::jsonb,
                '["in_app"]'::jsonb, '{}'::jsonb, '{}'::jsonb, 1, 'event:g-1:0', 'h')`.execute(conn);
      const stored = storeBatch(source(), [message('g-1', { traderId: 5, quantity: 1, traderUserId: 'u5' })]);
      // The store's insert waits on this transaction's key.
      for (let i = 0; i < 200; i++) {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity
           where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db);
        if ((rows[0]?.n ?? 0) > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await sql`commit`.execute(conn);
      return { holder, out: await stored };
    });
    assert.deepEqual(other.out, { accepted: 1, replayed: 0, dead: 0 });
    const g = await eventRow('g-1');
    assert.equal(g?.status, 'processed');
    assert.equal(g?.outcome?.[0]?.notificationId, other.holder, 'the outcome names the holder');
    const made = await notificationsOf('g-1');
    assert.deepEqual(
      made.map((n) => n.idempotency_key),
      ['event:g-1:0', 'event:g-1:1'],
    );
    assert.equal(g?.outcome?.[1]?.notificationId, made[1]?.id);
  });
});
