/**
 * The events worker on real PostgreSQL: an event is finished, with its notifications, in one
 * transaction. A run that fails before its commit leaves nothing behind and the event is claimed
 * again; a worker whose lease was taken writes nothing; and an event run a second time (its earlier
 * run committed notifications) adds none.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyEventStore } from '../../src/adapters/store/kysely-events.ts';
import { kyselyNotificationTypeStore } from '../../src/adapters/store/kysely-notification-types.ts';
import { kyselyServiceStore } from '../../src/adapters/store/kysely-services.ts';
import { kyselyTriggerRules } from '../../src/adapters/store/kysely-trigger-rules.ts';
import { eventHash, processEvent, processEvents } from '../../src/app/events.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import type { ClaimedEvent } from '../../src/ports/events.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

describe('events worker: crash and re-run', { skip: skipWithoutPg }, () => {
  let pgdb: TestDatabase;
  let database: Database;
  let serviceId: string;
  const renderer = createTemplateRenderer();
  const worker = (owner: string) => ({
    owner,
    events: kyselyEventStore(database.db),
    rules: kyselyTriggerRules(database.db),
    types: kyselyNotificationTypeStore(database.db),
    renderer,
  });
  const send = async (id: string, payload: Record<string, unknown>, name = 'trade.executed') => {
    const e = { id, name, payload };
    const r = await kyselyEventStore(database.db).accept(serviceId, [
      { ...e, occurredAt: null, requestHash: eventHash(e) },
    ]);
    assert.equal(r.ok, true);
  };
  const notificationsOf = async (eventId: string) =>
    (
      await sql<{ id: string; idempotency_key: string }>`
        select id, idempotency_key from notifications
         where service_id = ${serviceId} and idempotency_key like ${`event:${eventId}:%`}
         order by idempotency_key`.execute(database.db)
    ).rows;
  const claimOne = async (owner: string, leaseMs = 60_000): Promise<ClaimedEvent> => {
    const [event] = await kyselyEventStore(database.db).claim(owner, 1, leaseMs);
    assert.ok(event, `${owner} claimed nothing`);
    return event;
  };
  const expireLeases = () =>
    sql`update events set lease_expires_at = now() - interval '1 second' where status = 'processing'`.execute(
      database.db,
    );

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
      { type: 'trade_executed', to: { topic: 'trader:{{ traderId }}' }, channels: ['email'] },
      { type: 'trade_executed', to: { recipient: '/traderUserId' }, channels: ['email'] },
    ]);
  });
  after(async () => {
    await database?.close();
    await pgdb?.drop();
  });

  it('a run that fails before commit leaves nothing; the next claim finishes the event once', async () => {
    await send('e-crash', { traderId: 42, traderUserId: 't42' });
    const first = await claimOne('worker-a');
    // The run dies inside its transaction after the notifications are inserted: the event update fails.
    await sql`create function fail_event_update() returns trigger language plpgsql as $$
              begin raise exception 'worker died'; end $$`.execute(database.db);
    await sql`create trigger fail_event_update before update on events
              for each row execute function fail_event_update()`.execute(database.db);
    await assert.rejects(processEvent(worker('worker-a'), first), /worker died/);
    await sql`drop trigger fail_event_update on events`.execute(database.db);
    assert.deepEqual(await notificationsOf('e-crash'), [], 'the failed run left no notification');
    const view = await kyselyEventStore(database.db).view(serviceId, 'e-crash');
    assert.equal(view?.status, 'pending');

    assert.deepEqual(await kyselyEventStore(database.db).claim('worker-b', 10, 60_000), [], 'leased still');
    await expireLeases();
    const again = await claimOne('worker-b');
    assert.equal(await processEvent(worker('worker-b'), again), true);
    const made = await notificationsOf('e-crash');
    assert.deepEqual(
      made.map((n) => n.idempotency_key),
      ['event:e-crash:0', 'event:e-crash:1'],
    );
    const done = await kyselyEventStore(database.db).view(serviceId, 'e-crash');
    assert.equal(done?.status, 'processed');
    assert.deepEqual(
      done?.outcome?.map((o) => o.notificationId),
      made.map((n) => n.id),
    );
  });

  it('a worker whose lease was taken over writes nothing when it wakes up', async () => {
    await send('e-stale', { traderId: 7, traderUserId: 't7' });
    const stale = await claimOne('worker-a', 60_000);
    await expireLeases();
    const taken = await claimOne('worker-b');
    assert.equal(await processEvent(worker('worker-b'), taken), true);
    assert.equal(await processEvent(worker('worker-a'), stale), false);
    assert.equal((await notificationsOf('e-stale')).length, 2);
  });

  it('an event run again after its notifications were committed adds none', async () => {
    await send('e-twice', { traderId: 9, traderUserId: 't9' });
    assert.equal(await processEvent(worker('worker-a'), await claimOne('worker-a')), true);
    const firstRun = await notificationsOf('e-twice');
    // As if the commit's answer was lost and the event handed out again.
    await sql`update events set status = 'pending', outcome = null where id = 'e-twice'`.execute(database.db);
    assert.equal(await processEvent(worker('worker-b'), await claimOne('worker-b')), true);
    assert.deepEqual(await notificationsOf('e-twice'), firstRun);
    const view = await kyselyEventStore(database.db).view(serviceId, 'e-twice');
    assert.deepEqual(
      view?.outcome?.map((o) => o.notificationId),
      firstRun.map((n) => n.id),
    );
  });

  it('a batch is finished in one transaction, leaving out only the events its worker lost', async () => {
    for (const id of ['b-1', 'b-2', 'b-3', 'b-4']) await send(id, { traderId: 5, traderUserId: `u-${id}` });
    const batch = await kyselyEventStore(database.db).claim('worker-a', 10, 60_000);
    assert.deepEqual(
      batch.map((e) => e.id),
      ['b-1', 'b-2', 'b-3', 'b-4'],
    );
    // b-2's lease runs out and worker-b finishes it first; b-3 was finished once before (its commit
    // answer lost) and is handed back to worker-a.
    await sql`update events set lease_expires_at = now() - interval '1 second' where id = 'b-2'`.execute(
      database.db,
    );
    const b2 = await claimOne('worker-b');
    assert.equal(b2.id, 'b-2');
    assert.equal(await processEvent(worker('worker-b'), b2), true);
    const b3 = batch.find((e) => e.id === 'b-3') as ClaimedEvent;
    assert.equal(await processEvent(worker('worker-a'), b3), true);
    const b3First = await notificationsOf('b-3');
    await sql`update events set status = 'processing', lease_owner = 'worker-a', outcome = null
               where id = 'b-3'`.execute(database.db);

    assert.equal(await processEvents(worker('worker-a'), batch), 3, "b-2 is worker-b's now");
    for (const id of ['b-1', 'b-2', 'b-3', 'b-4']) {
      const made = await notificationsOf(id);
      assert.equal(made.length, 2, `${id} has one notification per rule entry`);
      const view = await kyselyEventStore(database.db).view(serviceId, id);
      assert.equal(view?.status, 'processed');
      assert.deepEqual(
        view?.outcome?.map((o) => o.notificationId),
        made.map((n) => n.id),
      );
    }
    assert.deepEqual(await notificationsOf('b-3'), b3First, 'the re-run added nothing');
  });

  it('an event whose expansion fails stays leased and does not hold back its batch', async () => {
    await send('f-ok', { traderId: 3, traderUserId: 'u-ok' });
    await send('f-bad', { traderId: 4, traderUserId: 'u-bad' }, 'trade.cancelled');
    const batch = await kyselyEventStore(database.db).claim('worker-a', 10, 60_000);
    const failing = {
      ...worker('worker-a'),
      // The rule lookup for one event's name fails (a dropped connection, say).
      rules: {
        ...worker('worker-a').rules,
        get: (service: string, name: string) =>
          name === 'trade.cancelled'
            ? Promise.reject(new Error('connection lost'))
            : worker('worker-a').rules.get(service, name),
      },
    };
    const errors: string[] = [];
    const done = await processEvents({ ...failing, onError: (_err, e) => errors.push(e.id) }, batch);
    assert.equal(done, 1);
    assert.deepEqual(errors, ['f-bad']);
    assert.equal((await kyselyEventStore(database.db).view(serviceId, 'f-ok'))?.status, 'processed');
    assert.equal((await kyselyEventStore(database.db).view(serviceId, 'f-bad'))?.status, 'pending');
    assert.deepEqual(await notificationsOf('f-bad'), []);
  });
});
