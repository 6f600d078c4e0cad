/**
 * Group commit on accept, against real PostgreSQL: rows submitted in one tick go in one write, and
 * idempotency stays exact row by row inside it (the same key twice with the same body is one row and
 * a replay; with another body, a conflict). A row the database refuses fails only its own caller.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyNotificationStore } from '../../src/adapters/store/kysely-notifications.ts';
import { answer } from '../../src/app/accept.ts';
import { createBatcher } from '../../src/app/batcher.ts';
import { HeraldError } from '../../src/domain/errors.ts';
import type { NewNotification } from '../../src/domain/types.ts';
import type { AcceptResult } from '../../src/ports/store.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

describe('group commit on accept', { skip: skipWithoutPg }, () => {
  let tdb: TestDatabase;
  let database: Database;
  const serviceId = randomUUID();
  const writes: number[] = [];

  before(async () => {
    tdb = await freshDatabase();
    database = await connect({ databaseUrl: tdb.url, dataDir: '/nonexistent' });
    await migrateToLatest(database.db);
    await sql`insert into services (id, name) values (${serviceId}, 'gc')`.execute(database.db);
  });

  after(async () => {
    await database?.close();
    await tdb?.drop();
  });

  const store = () => kyselyNotificationStore(database.db);
  const group = () =>
    createBatcher<NewNotification, AcceptResult>({
      run: (ns) => {
        writes.push(ns.length);
        return store().acceptMany(ns);
      },
    });
  const row = (over: Partial<NewNotification> = {}): NewNotification => ({
    id: uuidv7(),
    serviceId,
    type: 't',
    recipientId: 'ann',
    channels: ['email'],
    data: {},
    content: { email: { subject: 's', text: 't' } },
    priority: 'normal',
    idempotencyKey: null,
    requestHash: 'h1',
    ...over,
  });
  const rowsWithKey = async (key: string) =>
    (
      await sql<{
        id: string;
      }>`select id from notifications where service_id = ${serviceId} and idempotency_key = ${key}`.execute(
        database.db,
      )
    ).rows;

  it('writes the rows of one tick together, and each caller gets its own id', async () => {
    writes.length = 0;
    const gc = group();
    const rows = Array.from({ length: 20 }, () => row());
    const results = await Promise.all(rows.map((r) => gc.submit(r)));
    assert.deepEqual(writes, [20], 'one write for the twenty rows of the tick');
    assert.deepEqual(
      results,
      rows.map((r) => ({ created: true, id: r.id })),
    );
  });

  it('the same key twice in one tick with the same body: one row, and the second is a replay', async () => {
    writes.length = 0;
    const gc = group();
    const first = row({ idempotencyKey: 'same-tick', requestHash: 'body-a' });
    const second = row({ idempotencyKey: 'same-tick', requestHash: 'body-a' });
    const [r1, r2] = await Promise.all([gc.submit(first), gc.submit(second)]);
    assert.deepEqual(writes, [2], 'both in one write');
    assert.deepEqual(r1, { created: true, id: first.id });
    assert.deepEqual(r2, { created: false, id: first.id, requestHash: 'body-a' });
    assert.deepEqual(answer(second, r2 as AcceptResult), {
      id: first.id,
      status: 'accepted',
      replayed: true,
    });
    assert.deepEqual(await rowsWithKey('same-tick'), [{ id: first.id }]);
  });

  it('the same key twice in one tick with another body: one row, and the second is a 409', async () => {
    writes.length = 0;
    const gc = group();
    const first = row({ idempotencyKey: 'clash', requestHash: 'body-a' });
    const second = row({ idempotencyKey: 'clash', requestHash: 'body-b' });
    const [r1, r2] = await Promise.all([gc.submit(first), gc.submit(second)]);
    assert.deepEqual(writes, [2]);
    assert.equal(answer(first, r1).replayed, false);
    assert.throws(
      () => answer(second, r2),
      (err: unknown) =>
        err instanceof HeraldError && err.status === 409 && err.code === 'idempotency_conflict',
    );
    assert.deepEqual(await rowsWithKey('clash'), [{ id: first.id }]);
  });

  it('a key already stored replays across ticks, and racing writers store it once', async () => {
    const first = row({ idempotencyKey: 'across', requestHash: 'body-a' });
    await store().accept(first);
    // Two group commits stand for two API processes writing the same key at the same time.
    const racers = Array.from({ length: 6 }, () => row({ idempotencyKey: 'race', requestHash: 'body-r' }));
    const [g1, g2] = [group(), group()];
    const results = await Promise.all([
      g1.submit(row({ idempotencyKey: 'across', requestHash: 'body-a' })),
      ...racers.map((r, i) => (i % 2 ? g1 : g2).submit(r)),
    ]);
    assert.deepEqual(results[0], { created: false, id: first.id, requestHash: 'body-a' });
    const raced = results.slice(1);
    assert.equal(raced.filter((r) => r.created).length, 1);
    assert.equal(new Set(raced.map((r) => r.id)).size, 1);
    assert.equal((await rowsWithKey('race')).length, 1);
  });

  it('a row the database refuses fails only its caller; the rest of its tick is stored', async () => {
    writes.length = 0;
    const gc = group();
    const good = [row(), row()];
    const bad = row({ serviceId: randomUUID() }); // no such service: a foreign-key violation
    const settled = await Promise.allSettled([gc.submit(good[0]!), gc.submit(bad), gc.submit(good[1]!)]);
    assert.equal(writes[0], 3, 'tried together first');
    assert.deepEqual(
      settled.map((s) => s.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const stored = await sql<{ id: string }>`select id from notifications where id in (${sql.join(
      [...good, bad].map((r) => r.id),
    )})`.execute(database.db);
    assert.deepEqual(new Set(stored.rows.map((r) => r.id)), new Set(good.map((r) => r.id)));
  });

  it('recipients named by id alone are made in the insert itself, only for rows that went in', async () => {
    await sql`insert into recipients (service_id, id, email) values (${serviceId}, 'kept', 'kept@example.com')`.execute(
      database.db,
    );
    const taken = row({ idempotencyKey: 'named-taken', requestHash: 'body-a' });
    await store().accept(taken);
    writes.length = 0;
    const gc = group();
    const named = (id: string, over: Partial<NewNotification> = {}) =>
      row({ recipientId: id, channels: ['in_app'], content: {}, inlineRecipient: {}, ...over });
    const rows = [
      named('new-one'),
      named('new-one'),
      named('kept'),
      // A replay and a conflict are not written, so neither is the recipient they name.
      named('ghost-replay', { idempotencyKey: 'named-taken', requestHash: 'body-a' }),
      named('ghost-conflict', { idempotencyKey: 'named-taken', requestHash: 'body-b' }),
    ];
    const results = await Promise.all(rows.map((r) => gc.submit(r)));
    assert.deepEqual(writes, [5], 'one write for the tick');
    assert.deepEqual(
      results.map((r) => r.created),
      [true, true, true, false, false],
    );
    const stored = await sql<{ id: string; email: string | null }>`
      select id, email from recipients
       where service_id = ${serviceId} and id in ('new-one', 'kept', 'ghost-replay', 'ghost-conflict')
       order by id`.execute(database.db);
    assert.deepEqual(stored.rows, [
      { id: 'kept', email: 'kept@example.com' },
      { id: 'new-one', email: null },
    ]);
  });

  it('makes only the inline recipients of rows that went in when a stored recipient is named beside them', async () => {
    await sql`insert into recipients (service_id, id, email) values (${serviceId}, 'stored', 'stored@example.com')`.execute(
      database.db,
    );
    const taken = row({ idempotencyKey: 'mixed-taken', requestHash: 'body-a' });
    await store().accept(taken);
    writes.length = 0;
    const gc = group();
    const named = (id: string, over: Partial<NewNotification> = {}) =>
      row({ recipientId: id, channels: ['in_app'], content: {}, inlineRecipient: {}, ...over });
    const rows = [
      named('mixed-new'),
      // Named by id as a stored recipient (no inline fields): written, and makes no recipient.
      row({ recipientId: 'stored', channels: ['in_app'], content: {} }),
      row({ recipientId: 'mixed-unmade', channels: ['in_app'], content: {} }),
      named('mixed-ghost', { idempotencyKey: 'mixed-taken', requestHash: 'body-a' }),
    ];
    const results = await Promise.all(rows.map((r) => gc.submit(r)));
    assert.deepEqual(writes, [4], 'one write for the tick');
    assert.deepEqual(
      results.map((r) => r.created),
      [true, true, true, false],
    );
    const stored = await sql<{ id: string }>`
      select id from recipients
       where service_id = ${serviceId} and id in ('mixed-new', 'stored', 'mixed-unmade', 'mixed-ghost')
       order by id`.execute(database.db);
    assert.deepEqual(
      stored.rows.map((r) => r.id),
      ['mixed-new', 'stored'],
    );
  });
});
