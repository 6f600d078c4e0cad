/**
 * One contract for the storage adapters, run against both databases Herald supports: PGlite (embedded)
 * and PostgreSQL. The queue semantics (leases, SKIP LOCKED, idempotent planning) are the core here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyApiKeyStore, kyselyServiceStore } from '../../src/adapters/store/kysely-services.ts';
import { kyselyRecipientStore } from '../../src/adapters/store/kysely-recipients.ts';
import { kyselyNotificationStore } from '../../src/adapters/store/kysely-notifications.ts';
import { kyselyPlanQueue } from '../../src/adapters/store/kysely-plan-queue.ts';
import { kyselyDeliveryQueue } from '../../src/adapters/store/kysely-delivery-queue.ts';
import { kyselyOutbox } from '../../src/adapters/store/kysely-outbox.ts';
import { kyselyNotificationCanceller } from '../../src/adapters/store/kysely-notification-cancel.ts';
import type { NewNotification, PlannedDelivery } from '../../src/domain/types.ts';
import type { AttemptRecord } from '../../src/domain/types.ts';
import { onEachDatabase } from '../helpers/databases.ts';

const attempt = (n: number, outcome: AttemptRecord['outcome'] = 'sent'): AttemptRecord => ({
  attempt: n,
  provider: 'test',
  startedAt: new Date(),
  durationMs: 1,
  outcome,
  errorCode: outcome === 'sent' ? null : 'e',
  errorMessage: null,
  providerMessageId: null,
});

function contract(
  name: string,
  open: () => Promise<{ database: Database; cleanup(): Promise<void> }>,
  skip: string | false,
) {
  describe(`store contract: ${name}`, { skip }, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    let serviceId: string;
    const stores = () => {
      const db = database.db;
      return {
        services: kyselyServiceStore(db),
        keys: kyselyApiKeyStore(db),
        recipients: kyselyRecipientStore(db),
        notifications: kyselyNotificationStore(db),
        plan: kyselyPlanQueue(db),
        queue: kyselyDeliveryQueue(db),
        outbox: kyselyOutbox(db),
      };
    };
    const newNotification = (extra: Partial<NewNotification> = {}): NewNotification => ({
      id: uuidv7(),
      serviceId,
      type: 't',
      recipientId: 'r1',
      channels: ['email'],
      data: {},
      content: { email: { subject: 's', text: 't' } },
      priority: 'normal',
      idempotencyKey: null,
      requestHash: 'h',
      ...extra,
    });
    /** Accepts and plans a notification with one queued email delivery; returns the delivery id. */
    const queuedDelivery = async (priority: NewNotification['priority'] = 'normal', owner = 'planner') => {
      const s = stores();
      const n = newNotification({ priority });
      await s.notifications.accept(n);
      const [claimed] = (await s.plan.claim(owner, 100, 60_000)).filter((c) => c.id === n.id);
      assert.ok(claimed);
      const d: PlannedDelivery = {
        id: uuidv7(),
        recipientId: 'r1',
        channel: 'email',
        address: 'r1@example.com',
        status: 'queued',
        reason: null,
        content: {},
      };
      await s.plan.complete(claimed, owner, [d]);
      return d.id;
    };

    before(async () => {
      const opened = await open();
      database = opened.database;
      cleanup = () => opened.cleanup();
      await migrateToLatest(database.db);
      const s = stores();
      serviceId = uuidv7();
      await s.services.create(
        { id: serviceId, name: 'S', types: [{ key: 't', description: '' }] },
        { id: uuidv7(), publicId: 'a'.repeat(16), secretHash: 'f'.repeat(64), label: null },
      );
    });
    after(async () => {
      await database?.close();
      await cleanup?.();
    });

    it('stores services, types and keys; revoking is scoped to the owner', async () => {
      const s = stores();
      assert.equal((await s.services.get(serviceId))?.name, 'S');
      assert.equal(await s.services.hasType(serviceId, 't'), true);
      assert.equal(await s.services.hasType(serviceId, 'x'), false);
      const found = await s.keys.findByPublicId('a'.repeat(16));
      assert.deepEqual(found, { serviceId, secretHash: 'f'.repeat(64), revoked: false });
      const [key] = await s.keys.list(serviceId);
      assert.ok(key);
      assert.equal(await s.keys.revoke(uuidv7(), key.id), false, 'another service cannot revoke it');
      assert.equal(await s.keys.revoke(serviceId, key.id), true);
      assert.equal((await s.keys.findByPublicId('a'.repeat(16)))?.revoked, true);
    });

    it('upserts recipients: insert, partial update, null clears', async () => {
      const s = stores();
      const first = await s.recipients.upsert(serviceId, 'r1', {
        email: 'r1@example.com',
        attributes: { a: 1 },
      });
      assert.equal(first.created, true);
      const second = await s.recipients.upsert(serviceId, 'r1', { phone: '+14155552671' });
      assert.equal(second.created, false);
      assert.equal(second.recipient.email, 'r1@example.com');
      assert.deepEqual(second.recipient.attributes, { a: 1 });
      const third = await s.recipients.upsert(serviceId, 'r1', { phone: null });
      assert.equal(third.recipient.phone, null);
      assert.equal(await s.recipients.get(uuidv7(), 'r1'), null);
    });

    it('accepts a notification once per idempotency key', async () => {
      const s = stores();
      const a = newNotification({ idempotencyKey: 'k1', requestHash: 'h1' });
      assert.deepEqual(await s.notifications.accept(a), { created: true, id: a.id });
      const b = newNotification({ idempotencyKey: 'k1', requestHash: 'h2' });
      assert.deepEqual(await s.notifications.accept(b), { created: false, id: a.id, requestHash: 'h1' });
      // Many notifications may have no key.
      assert.equal((await s.notifications.accept(newNotification())).created, true);
      assert.equal((await s.notifications.accept(newNotification())).created, true);
      // Concurrent duplicates make exactly one row.
      const racers = await Promise.all(
        Array.from({ length: 8 }, () => s.notifications.accept(newNotification({ idempotencyKey: 'race' }))),
      );
      assert.equal(racers.filter((r) => r.created).length, 1);
      assert.equal(new Set(racers.map((r) => r.id)).size, 1);
    });

    it('plans idempotently: a re-run adds no delivery, a lost lease is reclaimed by another planner', async () => {
      const s = stores();
      await s.plan.release('nobody');
      const n = newNotification();
      await s.notifications.accept(n);
      const claimedA = (await s.plan.claim('A', 1000, 1500)).find((c) => c.id === n.id);
      assert.ok(claimedA);
      assert.equal(
        (await s.plan.claim('B', 1000, 1500)).find((c) => c.id === n.id),
        undefined,
        'leased',
      );
      await sleep(1600);
      const claimedB = (await s.plan.claim('B', 1000, 60_000)).find((c) => c.id === n.id);
      assert.ok(claimedB, 'the expired lease is claimable');
      const d: PlannedDelivery = {
        id: uuidv7(),
        recipientId: 'r1',
        channel: 'email',
        address: 'x@y.z',
        status: 'queued',
        reason: null,
        content: {},
      };
      await s.plan.complete(claimedB, 'B', [d]);
      // The first planner wakes up late and completes too: nothing is added.
      await s.plan.complete(claimedA, 'A', [{ ...d, id: uuidv7() }]);
      const view = await s.notifications.view(serviceId, n.id);
      assert.equal(view?.deliveries.length, 1);
      assert.equal(view?.deliveries[0]?.id, d.id);
      assert.equal(view?.status, 'processing');
    });

    it('claims by priority, never the same row twice, and only due rows', async () => {
      const s = stores();
      // Drain anything earlier tests queued.
      await s.queue.claim('email', 'drain', 1000, 60_000);
      const low = await queuedDelivery('low');
      const critical = await queuedDelivery('critical');
      const normal = await queuedDelivery('normal');
      const first = await s.queue.claim('email', 'w1', 1, 60_000);
      assert.equal(first[0]?.id, critical);
      assert.equal(first[0]?.attempts, 1);
      const [w2, w3] = await Promise.all([
        s.queue.claim('email', 'w2', 1, 60_000),
        s.queue.claim('email', 'w3', 1, 60_000),
      ]);
      const ids = [...w2, ...w3].map((d) => d.id).sort();
      assert.deepEqual(ids, [low, normal].sort(), 'concurrent claimers get disjoint rows');
      assert.deepEqual(await s.queue.claim('email', 'w4', 10, 60_000), []);
      assert.deepEqual(await s.queue.claim('sms', 'w4', 10, 60_000), []);
    });

    it('claims every due one-to-one delivery of a lane before any broadcast delivery', async () => {
      const s = stores();
      await s.queue.claim('email', 'drain', 1000, 60_000);
      // The broadcast row is older and more urgent, and still comes second.
      const bulk = await queuedDelivery('critical');
      await sql`update deliveries set bulk = true, next_attempt_at = now() - interval '1 hour' where id = ${bulk}`.execute(
        database.db,
      );
      const oneToOne = await queuedDelivery('low');
      assert.deepEqual(
        (await s.queue.claim('email', 'w1', 1, 60_000)).map((d) => d.id),
        [oneToOne],
      );
      assert.deepEqual(
        (await s.queue.claim('email', 'w1', 1, 60_000)).map((d) => d.id),
        [bulk],
      );
    });

    it('claims broadcasts for planning only up to the number asked, one-recipient ones first', async () => {
      const s = stores();
      const broadcasts = [1, 2, 3].map(() => newNotification({ audience: { kind: 'all' }, recipientId: '' }));
      const singles = [1, 2].map(() => newNotification());
      for (const n of [...broadcasts, ...singles]) await s.notifications.accept(n);
      const ours = new Set([...broadcasts, ...singles].map((n) => n.id));
      const none = (await s.plan.claim('p1', 1000, 60_000, { broadcasts: 0 })).filter((n) => ours.has(n.id));
      assert.deepEqual(
        none.map((n) => n.id),
        singles.map((n) => n.id),
      );
      const one = (await s.plan.claim('p1', 1000, 60_000, { broadcasts: 1 })).filter((n) => ours.has(n.id));
      assert.equal(one.length, 1);
      assert.deepEqual(one[0]?.audience, { kind: 'all' });
      const rest = (await s.plan.claim('p2', 1000, 60_000)).filter((n) => ours.has(n.id));
      assert.equal(rest.length, 2);
    });

    it('cancels: a plan completed after the cancel adds nothing, and untried deliveries end cancelled', async () => {
      const s = stores();
      const cancel = kyselyNotificationCanceller(database.db);
      const n = newNotification();
      await s.notifications.accept(n);
      const claimed = (await s.plan.claim('P', 1000, 60_000)).find((c) => c.id === n.id);
      assert.ok(claimed);
      assert.deepEqual(await cancel.cancel(serviceId, n.id), { cancelledDeliveries: 0 });
      const d: PlannedDelivery = {
        id: uuidv7(),
        recipientId: 'r1',
        channel: 'email',
        address: 'x@y.z',
        status: 'queued',
        reason: null,
        content: {},
      };
      await s.plan.complete(claimed, 'P', [d]);
      const view = await s.notifications.view(serviceId, n.id);
      assert.equal(view?.status, 'cancelled');
      assert.deepEqual(view?.deliveries, []);

      const queuedId = await queuedDelivery();
      const { rows } = await sql<{ id: string }>`
        select notification_id as id from deliveries where id = ${queuedId}`.execute(database.db);
      const planned = rows[0]?.id ?? '';
      assert.deepEqual(await cancel.cancel(serviceId, planned), { cancelledDeliveries: 1 });
      const after = await s.notifications.view(serviceId, planned);
      assert.equal(after?.deliveries[0]?.status, 'cancelled');
      assert.equal(after?.deliveries[0]?.reason, 'cancelled');
      assert.equal(await cancel.cancel(uuidv7(), planned), null, "another service's id is unknown");
    });

    it('settles under the lease, records every attempt, and refuses a stale owner', async () => {
      const s = stores();
      const id = await queuedDelivery();
      const [d] = await s.queue.claim('email', 'w1', 10, 60_000);
      assert.equal(d?.id, id);
      assert.equal(
        await s.queue.settle(
          d,
          'w1',
          { status: 'queued', delayMs: 0, reason: 'smtp_451' },
          attempt(1, 'transient'),
        ),
        true,
      );
      const [again] = await s.queue.claim('email', 'w2', 10, 60_000);
      assert.equal(again?.id, id);
      assert.equal(again?.attempts, 2);
      // w1 no longer holds it: its late settle changes nothing but is on record.
      assert.equal(
        await s.queue.settle(
          again,
          'w1',
          { status: 'sent', provider: 'p', providerMessageId: null },
          attempt(2),
        ),
        false,
      );
      assert.equal(
        await s.queue.settle(
          again,
          'w2',
          { status: 'sent', provider: 'p', providerMessageId: 'm' },
          attempt(2),
        ),
        true,
      );
      const view = await s.notifications.view(serviceId, again.notificationId);
      const delivery = view?.deliveries[0];
      assert.equal(delivery?.status, 'sent');
      assert.equal(delivery?.attempts.length, 3);
      assert.deepEqual(
        delivery?.attempts.map((a) => a.outcome),
        ['transient', 'sent', 'sent'],
      );
    });

    it('releases unstarted claims and reclaims expired leases with the lost attempt explained', async () => {
      const s = stores();
      const id = await queuedDelivery();
      const [d] = await s.queue.claim('email', 'w1', 10, 60_000);
      assert.equal(d?.id, id);
      await s.queue.release([id], 'w1');
      const [back] = await s.queue.claim('email', 'w2', 10, 50);
      assert.equal(back?.id, id);
      assert.equal(back?.attempts, 1, 'a released claim did not use an attempt');
      await sleep(80);
      assert.equal(await s.queue.reclaimExpired(5), 1);
      const view = await s.notifications.view(serviceId, back.notificationId);
      assert.equal(view?.deliveries[0]?.status, 'queued');
      assert.equal(view?.deliveries[0]?.attempts[0]?.outcome, 'lease_expired');
      // With attempts exhausted, an expired lease ends the delivery in `dead`, not in a loop.
      const [third] = await s.queue.claim('email', 'w3', 10, 10);
      assert.equal(third?.attempts, 2);
      await sleep(40);
      assert.equal(await s.queue.reclaimExpired(2), 1);
      const dead = await s.notifications.view(serviceId, back.notificationId);
      assert.equal(dead?.deliveries[0]?.status, 'dead');
      assert.equal(dead?.deliveries[0]?.reason, 'attempts_exhausted');
    });

    it('keeps captured messages per service', async () => {
      const s = stores();
      await s.outbox.capture(serviceId, {
        deliveryId: uuidv7(),
        channel: 'email',
        to: 'a@b.c',
        content: { subject: 'x' },
      });
      assert.equal((await s.outbox.list(serviceId, 10)).length, 1);
      assert.equal((await s.outbox.list(uuidv7(), 10)).length, 0);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from captured_messages`.execute(
        database.db,
      );
      assert.equal(rows[0]?.n, 1);
    });
  });
}

onEachDatabase(contract);
