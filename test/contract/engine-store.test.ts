/**
 * The engine's storage, run against both adapters (PGlite and PostgreSQL): claim order, settle,
 * postpone, reclaim, dead letters and provider status behave the same on each.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyDeliveryQueue } from '../../src/adapters/store/kysely-delivery-queue.ts';
import { kyselyDeadLetters } from '../../src/adapters/store/kysely-dead-letters.ts';
import { kyselyProviderStatus } from '../../src/adapters/store/kysely-provider-status.ts';
import type { AttemptRecord } from '../../src/domain/types.ts';
import { tempDir } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

const attempt = (n: number, outcome: AttemptRecord['outcome'] = 'sent'): AttemptRecord => ({
  attempt: n,
  provider: 'p',
  startedAt: new Date(),
  durationMs: 3,
  outcome,
  errorCode: outcome === 'sent' ? null : 'e',
  errorMessage: outcome === 'sent' ? null : 'failed',
  providerMessageId: null,
});

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`engine store on ${kind}`, { skip: kind === 'postgres' ? skipWithoutPg : false }, () => {
    let database: Database;
    let pgdb: TestDatabase | undefined;
    const serviceA = randomUUID();
    const serviceB = randomUUID();
    const notification = randomUUID();

    before(async () => {
      if (kind === 'postgres') pgdb = await freshDatabase();
      database = await connect({ databaseUrl: pgdb?.url, dataDir: tempDir('herald-contract-') });
      await migrateToLatest(database.db);
      await sql`insert into services (id, name) values (${serviceA}, 'A'), (${serviceB}, 'B')`.execute(
        database.db,
      );
      await sql`insert into notifications (id, service_id, type, channels, request_hash)
                values (${notification}, ${serviceA}, 't', '["sms"]', 'h')`.execute(database.db);
    });

    after(async () => {
      await database?.close();
      await pgdb?.drop();
    });

    const add = async (
      recipient: string,
      o: { priority?: number; agoMin?: number; status?: string; service?: string } = {},
    ) => {
      const id = randomUUID();
      await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status, priority, next_attempt_at)
                values (${id}, ${notification}, ${o.service ?? serviceA}, ${recipient}, 'sms', ${o.status ?? 'queued'},
                        ${o.priority ?? 2}, now() - ${o.agoMin ?? 0} * interval '1 minute')`.execute(
        database.db,
      );
      return id;
    };
    const row = async (id: string) =>
      database.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const attemptsOf = async (id: string) =>
      database.db
        .selectFrom('delivery_attempts')
        .selectAll()
        .where('delivery_id', '=', id)
        .orderBy('id')
        .execute();

    it('claims in aged priority order and settles with its attempt in one step', async () => {
      const q = kyselyDeliveryQueue(database.db);
      await add('normal', { priority: 2 });
      await add('critical', { priority: 0 });
      await add('old-low', { priority: 3, agoMin: 40 });
      const claimed = await q.claim('sms', 'w1', 10, 60_000);
      assert.deepEqual(
        claimed.map((d) => d.recipientId),
        ['old-low', 'critical', 'normal'],
      );
      const [first, second] = claimed;
      assert.ok(first && second);
      assert.equal(first.attempts, 1);
      assert.equal(
        await q.settle(first, 'w1', { status: 'sent', provider: 'p', providerMessageId: 'm1' }, attempt(1)),
        true,
      );
      assert.equal((await row(first.id)).status, 'sent');
      // Another owner's settle does not move it, but the attempt it made is still recorded.
      assert.equal(
        await q.settle(
          second,
          'someone-else',
          { status: 'sent', provider: 'p', providerMessageId: null },
          attempt(1),
        ),
        false,
      );
      assert.equal((await row(second.id)).status, 'sending');
      assert.equal((await attemptsOf(second.id)).length, 1);
      await q.release(
        claimed.slice(1).map((d) => d.id),
        'w1',
      );
    });

    it("settles a batch in one statement, checking each row's lease and recording every attempt", async () => {
      const q = kyselyDeliveryQueue(database.db);
      await database.db
        .updateTable('deliveries')
        .set({ status: 'sent' })
        .where('channel', '=', 'sms')
        .execute();
      const ids = [await add('b-sent'), await add('b-retry'), await add('b-taken'), await add('b-failed')];
      const claimed = await q.claim('sms', 'w1', 10, 60_000);
      assert.equal(claimed.length, 4);
      const byId = new Map(claimed.map((d) => [d.id, d]));
      const [sentId, retryId, takenId, failedId] = ids as [string, string, string, string];
      // w1's lease on one row expired and another worker claimed it meanwhile.
      await sql`update deliveries set lease_owner = 'w2' where id = ${takenId}`.execute(database.db);
      const logBefore = await sql<{ n: number }>`select count(*)::int as n from delivery_status_log`.execute(
        database.db,
      );
      const held = await q.settleMany('w1', [
        {
          delivery: byId.get(sentId)!,
          outcome: { status: 'sent', provider: 'p', providerMessageId: 'm-1' },
          attempt: { ...attempt(1), providerMessageId: 'm-1' },
        },
        {
          delivery: byId.get(retryId)!,
          outcome: { status: 'queued', delayMs: 3_600_000, reason: 'e' },
          attempt: attempt(1, 'transient'),
        },
        {
          delivery: byId.get(takenId)!,
          outcome: { status: 'sent', provider: 'p', providerMessageId: 'm-3' },
          attempt: attempt(1),
        },
        {
          delivery: byId.get(failedId)!,
          outcome: { status: 'failed', reason: 'invalid_address' },
          attempt: attempt(1, 'permanent'),
        },
      ]);
      assert.deepEqual(held, [true, true, false, true]);

      const sentRow = await row(sentId);
      assert.equal(sentRow.status, 'sent');
      assert.equal(sentRow.provider_message_id, 'm-1');
      assert.ok(sentRow.sent_at);
      assert.equal(sentRow.lease_owner, null);
      const retryRow = await row(retryId);
      assert.equal(retryRow.status, 'queued');
      assert.equal(retryRow.last_error_code, 'e');
      assert.ok(retryRow.next_attempt_at.getTime() > Date.now() + 3_000_000, 'retry waits its delay');
      const failedRow = await row(failedId);
      assert.equal(failedRow.status, 'failed');
      assert.equal(failedRow.reason, 'invalid_address');
      // The row another owner holds is not overwritten...
      const taken = await row(takenId);
      assert.equal(taken.status, 'sending');
      assert.equal(taken.lease_owner, 'w2');
      assert.equal(taken.provider_message_id, null);
      // ...but the attempt w1 made is recorded, like every other one.
      for (const id of ids) assert.equal((await attemptsOf(id)).length, 1, `attempt of ${id}`);
      // Reported changes reach the status log once each (sent, failed); the others are not reported.
      const logged = await sql<{ delivery_id: string; status: string }>`
        select delivery_id, status from delivery_status_log order by id offset ${logBefore.rows[0]?.n ?? 0}`.execute(
        database.db,
      );
      assert.deepEqual(
        logged.rows.map((r) => [r.delivery_id, r.status]).sort(),
        [
          [sentId, 'sent'],
          [failedId, 'failed'],
        ].sort(),
      );
      await q.release([takenId], 'w2');
    });

    it('shares a claim between services by weight, priority ordering work only within a service', async () => {
      const q = kyselyDeliveryQueue(database.db);
      await database.db
        .updateTable('deliveries')
        .set({ status: 'sent' })
        .where('channel', '=', 'sms')
        .execute();
      // A floods with critical work that became due long ago; B has a little normal work.
      for (let i = 0; i < 30; i++) await add(`a-critical-${i}`, { priority: 0, agoMin: 5 });
      await add('a-normal', { priority: 2, agoMin: 5 });
      for (let i = 0; i < 4; i++) await add(`b-normal-${i}`, { service: serviceB });
      const fair = await q.claim('sms', 'w1', 8, 60_000);
      const ofB = fair.filter((d) => d.serviceId === serviceB);
      assert.equal(ofB.length, 4, "B gets its share (half of 8) despite A's critical flood");
      assert.ok(
        fair.slice(0, 2).some((d) => d.serviceId === serviceB),
        "the lane starts B's first delivery among the first two",
      );
      assert.deepEqual(
        fair.filter((d) => d.serviceId === serviceA).map((d) => d.priority),
        [0, 0, 0, 0],
        'within A, critical goes first',
      );
      await q.release(
        fair.map((d) => d.id),
        'w1',
      );
      // An operator weight of 3 for A: A gets three quarters of the claim, B still its quarter.
      const weighted = await q.claim('sms', 'w1', 8, 60_000, { [serviceA]: 3 });
      assert.equal(weighted.filter((d) => d.serviceId === serviceA).length, 6);
      assert.equal(weighted.filter((d) => d.serviceId === serviceB).length, 2);
      await q.release(
        weighted.map((d) => d.id),
        'w1',
      );
    });

    it("postpones a batch in one statement, checking each row's lease", async () => {
      const q = kyselyDeliveryQueue(database.db);
      await database.db
        .updateTable('deliveries')
        .set({ status: 'sent' })
        .where('channel', '=', 'sms')
        .execute();
      const mine = await add('p-mine');
      const taken = await add('p-taken');
      const claimed = await q.claim('sms', 'w1', 10, 60_000);
      assert.equal(claimed.length, 2);
      await sql`update deliveries set lease_owner = 'w2' where id = ${taken}`.execute(database.db);
      const held = await q.postponeMany(
        'w1',
        claimed.map((d) => ({ delivery: d, delayMs: 60_000, reason: 'providers_unavailable' })),
      );
      assert.deepEqual(
        held,
        claimed.map((d) => d.id === mine),
      );
      const r = await row(mine);
      assert.equal(r.status, 'queued');
      assert.equal(r.attempts, 0, 'the attempt is given back');
      assert.equal(r.reason, 'providers_unavailable');
      assert.ok(r.next_attempt_at.getTime() > Date.now() + 50_000);
      const t = await row(taken);
      assert.equal(t.status, 'sending');
      assert.equal(t.lease_owner, 'w2', "another owner's row is left alone");
      await q.release([taken], 'w2');
      await database.db
        .updateTable('deliveries')
        .set({ status: 'sent' })
        .where('id', 'in', [mine, taken])
        .execute();
    });

    it('postpones without using the attempt, and reclaims expired leases with a recorded attempt', async () => {
      const q = kyselyDeliveryQueue(database.db);
      await database.db
        .updateTable('deliveries')
        .set({ status: 'sent' })
        .where('channel', '=', 'sms')
        .execute();
      const id = await add('postponed');
      const [d] = await q.claim('sms', 'w1', 1, 60_000);
      assert.equal(d?.id, id);
      assert.equal(await q.postpone(d, 'w1', 60_000, 'providers_unavailable'), true);
      const r = await row(id);
      assert.equal(r.status, 'queued');
      assert.equal(r.attempts, 0);
      assert.equal(r.reason, 'providers_unavailable');
      assert.deepEqual(await q.claim('sms', 'w1', 1, 60_000), [], 'not due until the delay passes');
      assert.equal((await attemptsOf(id)).length, 0);

      const lost = await add('lost');
      const [l] = await q.claim('sms', 'w2', 1, 1000);
      assert.equal(l?.id, lost);
      await sql`update deliveries set lease_expires_at = now() - interval '1 second' where id = ${lost}`.execute(
        database.db,
      );
      assert.equal(await q.reclaimExpired(5, { sms: 1 }), 1);
      const after = await row(lost);
      assert.equal(after.status, 'dead', 'the sms limit of 1 attempt applies, not the default of 5');
      assert.deepEqual(
        (await attemptsOf(lost)).map((a) => a.outcome),
        ['lease_expired'],
      );
    });

    it('lists dead letters by page and replays them with a fresh budget, per tenant', async () => {
      const dl = kyselyDeadLetters(database.db);
      await database.db.deleteFrom('deliveries').execute();
      const ids = [
        await add('d1', { status: 'dead' }),
        await add('d2', { status: 'dead' }),
        await add('d3', { status: 'dead' }),
      ];
      const other = await add('b1', { status: 'dead', service: serviceB });
      const page1 = await dl.list(serviceA, { status: 'dead' }, null, 2);
      const page2 = await dl.list(serviceA, { status: 'dead' }, page1.at(-1)?.cursor ?? null, 2);
      assert.deepEqual(new Set([...page1, ...page2].map((d) => d.id)), new Set(ids));
      assert.equal(page2.length, 1);
      assert.equal(await dl.retry(serviceA, other), 'not_found');
      assert.equal(await dl.retry(serviceA, ids[0] as string), 'requeued');
      assert.equal(await dl.retry(serviceA, ids[0] as string), 'not_dead');
      const replayed = await row(ids[0] as string);
      assert.equal(replayed.attempts, 0);
      assert.ok(replayed.replayed_at);
      assert.equal(await dl.retryMatching(serviceA, { channel: 'sms' }), 2);
      assert.equal(await dl.retryMatching(serviceA, {}), 0);
      assert.equal((await row(other)).status, 'dead', 'the other tenant is untouched');
    });

    it('keeps what each worker last said about each provider', async () => {
      const ps = kyselyProviderStatus(database.db);
      const snap = { provider: 'p', channel: 'sms', openedAt: null, succeeded: 3, failed: 1 };
      await ps.publish('w1', [{ ...snap, state: 'closed' }]);
      await ps.publish('w1', [{ ...snap, state: 'open', openedAt: new Date() }]);
      await ps.publish('w2', [{ ...snap, state: 'closed' }]);
      const rows = await ps.list(60_000);
      assert.deepEqual(
        rows.map((r) => [r.owner, r.state]),
        [
          ['w1', 'open'],
          ['w2', 'closed'],
        ],
      );
      await ps.forget('w1');
      assert.deepEqual(
        (await ps.list(60_000)).map((r) => r.owner),
        ['w2'],
      );
    });
  });
}
