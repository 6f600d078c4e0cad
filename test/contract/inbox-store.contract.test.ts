/**
 * The inbox's storage and LISTEN/NOTIFY bus, against both databases. The property everything else
 * rests on: a recipient's events are numbered 1, 2, 3… without gaps or repeats, even when many
 * deliveries for that recipient commit at once (PostgreSQL runs them truly in parallel here).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyServiceStore } from '../../src/adapters/store/kysely-services.ts';
import { kyselyNotificationStore } from '../../src/adapters/store/kysely-notifications.ts';
import { kyselyInboxStore } from '../../src/adapters/store/kysely-inbox.ts';
import { kyselyInboxSecrets, kyselyTickets } from '../../src/adapters/store/kysely-inbox-auth.ts';
import { pgNotifyBus } from '../../src/adapters/realtime/pg-notify-bus.ts';
import { draftFromContent, patchFor } from '../../src/domain/inbox.ts';
import type { InboxStore, RecipientRef } from '../../src/ports/inbox.ts';
import { onEachDatabase } from '../helpers/databases.ts';

function contract(
  name: string,
  open: () => Promise<{ database: Database; cleanup(): Promise<void> }>,
  skip: string | false,
) {
  describe(`inbox store contract: ${name}`, { skip, timeout: 60_000 }, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    let store: InboxStore;
    let serviceId: string;
    let notificationId: string;
    const T0 = new Date('2026-03-02T09:15:00Z');
    const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
    const who = (recipientId: string): RecipientRef => ({ serviceId, recipientId });
    const deliver = (
      recipientId: string,
      content: Record<string, unknown>,
      now = T0,
      deliveryId = uuidv7(),
    ) =>
      store.deliver(
        { ...who(recipientId), notificationId, deliveryId, draft: draftFromContent(content, now) },
        now,
      );

    before(async () => {
      const opened = await open();
      database = opened.database;
      cleanup = () => opened.cleanup();
      await migrateToLatest(database.db);
      serviceId = uuidv7();
      await kyselyServiceStore(database.db).create(
        { id: serviceId, name: 'S', types: [{ key: 'trade_executed', description: '' }] },
        { id: uuidv7(), publicId: 'b'.repeat(16), secretHash: 'f'.repeat(64), label: null },
      );
      notificationId = uuidv7();
      await kyselyNotificationStore(database.db).accept({
        id: notificationId,
        serviceId,
        type: 'trade_executed',
        recipientId: 'x',
        channels: ['in_app'],
        data: {},
        content: {},
        priority: 'normal',
        idempotencyKey: null,
        requestHash: 'h',
      });
      store = kyselyInboxStore(database.db);
    });
    after(async () => {
      await database?.close();
      await cleanup?.();
    });

    it('stores an item once per delivery, with the type of its notification', async () => {
      const deliveryId = uuidv7();
      const first = await deliver('ann', { title: 't', body: 'b' }, T0, deliveryId);
      const again = await deliver('ann', { title: 't', body: 'b' }, T0, deliveryId);
      assert.equal(first.created, true);
      assert.deepEqual(again, { itemId: first.itemId, lastSeq: first.lastSeq, created: false });
      const items = await store.list(who('ann'), { status: 'all', archived: 'exclude', limit: 10 }, T0);
      assert.equal(items.length, 1);
      assert.equal(items[0]?.type, 'trade_executed');
      assert.equal((await store.eventsSince(who('ann'), 0, 100)).length, 1);
    });

    it('numbers concurrent deliveries for one recipient 1..N with no gaps or repeats', async () => {
      const n = 24;
      await Promise.all(Array.from({ length: n }, (_, i) => deliver('busy', { title: `m${i}`, body: 'b' })));
      const events = await store.eventsSince(who('busy'), 0, 1000);
      assert.deepEqual(
        events.map((e) => e.seq),
        Array.from({ length: n }, (_, i) => i + 1),
      );
      const titles = events.map((e) => (e.body.type === 'item.created' ? e.body.item.title : '?'));
      assert.equal(new Set(titles).size, n);
      assert.equal(await store.lastSeq(who('busy')), n);
      // Counts are taken inside each transaction, so the last event's counts are the final ones.
      assert.deepEqual(events.at(-1)?.body.counts, { unread: n, unseen: n });
      assert.deepEqual(await store.counts(who('busy'), T0), { unread: n, unseen: n });
    });

    it('reads many recipients at once, each from its own position, as eventsSince would', async () => {
      for (let i = 0; i < 5; i++) await deliver('many-a', { title: `a${i}`, body: 'b' });
      for (let i = 0; i < 2; i++) await deliver('many-b', { title: `b${i}`, body: 'b' });
      // A recipient id that looks like SQL or an array literal travels as data.
      await deliver('many-"c",{x}', { title: 'c0', body: 'b' });
      const positions = [
        { ...who('many-a'), since: 1 },
        { ...who('nobody'), since: 0 },
        { ...who('many-b'), since: 2 },
        { ...who('many-"c",{x}'), since: 0 },
        { ...who('many-a'), since: 3 },
      ];
      const many = await store.eventsSinceMany(positions, 3);
      assert.equal(many.length, positions.length);
      for (const [i, p] of positions.entries())
        assert.deepEqual(many[i], await store.eventsSince(p, p.since, 3), `position ${i}`);
      assert.deepEqual(
        many.map((events) => events.map((e) => e.seq)),
        [[2, 3, 4], [], [], [1], [4, 5]],
      );
      assert.deepEqual(await store.eventsSinceMany([], 3), []);
    });

    it('replaces unread items with the same collapse key, recording why', async () => {
      const old = await deliver('cy', { title: 'old', body: 'b', collapseKey: 'trader:42' });
      const fresh = await deliver('cy', { title: 'new', body: 'b', collapseKey: 'trader:42' });
      const events = await store.eventsSince(who('cy'), old.lastSeq, 10);
      assert.deepEqual(
        events.map((e) => e.body.type),
        ['item.removed', 'item.created'],
      );
      assert.deepEqual(events[0]?.body, {
        type: 'item.removed',
        itemId: old.itemId,
        reason: 'replaced',
        counts: { unread: 1, unseen: 1 },
      });
      const items = await store.list(who('cy'), { status: 'all', archived: 'include', limit: 10 }, T0);
      assert.deepEqual(
        items.map((i) => i.id),
        [fresh.itemId],
      );
    });

    it('hides expired items at once and deletes them on the next delivery', async () => {
      const short = await deliver('dee', { title: 'intraday', body: 'b', ttlSeconds: 60 });
      const filter = { status: 'all', archived: 'include', limit: 10 } as const;
      assert.equal((await store.list(who('dee'), filter, at(59))).length, 1);
      assert.equal((await store.list(who('dee'), filter, at(61))).length, 0);
      assert.deepEqual(await store.counts(who('dee'), at(61)), { unread: 0, unseen: 0 });
      assert.equal(await store.update(who('dee'), short.itemId, patchFor('read', at(61)), at(61)), null);
      const next = await deliver('dee', { title: 'later', body: 'b' }, at(120));
      const events = await store.eventsSince(who('dee'), short.lastSeq, 10);
      assert.equal(events[0]?.body.type, 'item.removed');
      assert.equal(events[0]?.body.type === 'item.removed' && events[0].body.reason, 'expired');
      assert.equal(next.lastSeq, short.lastSeq + 2);
    });

    it("updates only the recipient's own items, first read wins, and mark-all is one event", async () => {
      const a = await deliver('eve', { title: 'a', body: 'b' });
      await deliver('eve', { title: 'b', body: 'b' });
      assert.equal(await store.update(who('mallory'), a.itemId, patchFor('read', at(1)), at(1)), null);
      const read = await store.update(who('eve'), a.itemId, patchFor('read', at(5)), at(5));
      assert.equal(read?.readAt?.toISOString(), at(5).toISOString());
      const again = await store.update(who('eve'), a.itemId, patchFor('read', at(9)), at(9));
      assert.equal(again?.readAt?.toISOString(), at(5).toISOString());
      assert.equal(await store.markAll(who('eve'), 'read', at(10)), 1);
      assert.equal(await store.markAll(who('eve'), 'read', at(11)), 0);
      const events = await store.eventsSince(who('eve'), 0, 10);
      assert.deepEqual(
        events.map((e) => e.body.type),
        ['item.created', 'item.created', 'item.updated', 'item.updated', 'items.read_all'],
      );
      assert.deepEqual(events.at(-1)?.body.counts, { unread: 0, unseen: 0 });
      assert.deepEqual(await store.eventsSince(who('mallory'), 0, 10), []);
    });

    it('consumes a ticket once and never after it expires; keeps and rotates secrets', async () => {
      const tickets = kyselyTickets(database.db);
      await tickets.issue('h0', who('ann'), at(-5), at(-10));
      await tickets.issue('h1', who('ann'), at(30), at(0));
      await tickets.issue('h2', who('ann'), at(30), at(0));
      assert.deepEqual(await tickets.consume('h1', at(1)), who('ann'));
      assert.equal(await tickets.consume('h1', at(2)), null);
      assert.equal(await tickets.consume('h2', at(31)), null);
      const { rows } = await sql<{ hash: string }>`select hash from inbox_tickets`.execute(database.db);
      assert.deepEqual(
        rows.map((r) => r.hash),
        ['h2'],
        'the expired h0 was swept when h1 was issued; h2 stays until the next issue',
      );
      const secrets = kyselyInboxSecrets(database.db);
      assert.equal(await secrets.get(serviceId), null);
      await secrets.set(serviceId, 'his_one');
      await secrets.set(serviceId, 'his_two');
      assert.equal((await secrets.get(serviceId))?.secret, 'his_two');
    });

    it('delivers a batch as the one-by-one path would: once per delivery, gapless, expiry and collapse kept', async () => {
      const draft = (content: Record<string, unknown>, now = T0) => draftFromContent(content, now);
      // gus has an item about to expire and one already there; hal has a collapsible unread item.
      const short = await deliver('gus', { title: 'short', body: 'b', ttlSeconds: 5 });
      const hal = await deliver('hal', { title: 'v1', body: 'b', collapseKey: 'k' });
      const again = uuidv7();
      const first = await store.deliverMany(
        [{ ...who('ivy'), notificationId, deliveryId: again, draft: draft({ title: 'once', body: 'b' }) }],
        T0,
      );
      const ids = [uuidv7(), again, uuidv7(), uuidv7(), uuidv7()];
      const later = at(10);
      const results = await store.deliverMany(
        [
          {
            ...who('gus'),
            notificationId,
            deliveryId: ids[0]!,
            draft: draft({ title: 'g', body: 'b' }, later),
          },
          { ...who('ivy'), notificationId, deliveryId: again, draft: draft({ title: 'once', body: 'b' }) },
          {
            ...who('hal'),
            notificationId,
            deliveryId: ids[2]!,
            draft: draft({ title: 'v2', body: 'b', collapseKey: 'k' }, later),
          },
          {
            ...who('jo'),
            notificationId,
            deliveryId: ids[3]!,
            draft: draft({ title: 'j1', body: 'b' }, later),
          },
          {
            ...who('jo'),
            notificationId,
            deliveryId: ids[4]!,
            draft: draft({ title: 'j2', body: 'b' }, later),
          },
        ],
        later,
      );
      assert.deepEqual(
        results.map((r) => r.created),
        [true, false, true, true, true],
      );
      assert.deepEqual(
        results[1],
        { itemId: first[0]?.itemId, lastSeq: first[0]?.lastSeq, created: false },
        'a re-sent delivery finds its item and writes nothing',
      );
      assert.equal((await store.eventsSince(who('ivy'), 0, 10)).length, 1);

      const gus = await store.eventsSince(who('gus'), short.lastSeq, 10);
      assert.deepEqual(
        gus.map((e) => e.body.type),
        ['item.removed', 'item.created'],
        'the expired item is deleted in the batch, as on the single path',
      );
      assert.equal(results[0]?.lastSeq, short.lastSeq + 2);
      assert.deepEqual(results[0]?.events, gus, 'a created item comes with the events written for it');
      assert.deepEqual(gus.at(-1)?.body.counts, { unread: 1, unseen: 1 });
      assert.equal(await store.lastSeq(who('gus')), short.lastSeq + 2);

      const halEvents = await store.eventsSince(who('hal'), hal.lastSeq, 10);
      assert.deepEqual(
        halEvents.map((e) => e.body.type),
        ['item.removed', 'item.created'],
      );
      const jo = await store.eventsSince(who('jo'), 0, 10);
      assert.deepEqual(
        jo.map((e) => e.seq),
        [1, 2],
        'two deliveries to one recipient in a batch are numbered in order',
      );
      assert.deepEqual(jo.at(-1)?.body.counts, { unread: 2, unseen: 2 });
      assert.deepEqual([results[3]?.events, results[4]?.events], [jo.slice(0, 1), jo.slice(1)]);
      const items = await store.list(who('jo'), { status: 'all', limit: 10, archived: 'exclude' }, later);
      assert.deepEqual(items.map((i) => i.title).sort(), ['j1', 'j2']);
      assert.equal(items[0]?.type, 'trade_executed');
    });

    it('numbers concurrent batches and single deliveries for one recipient with no gaps or repeats', async () => {
      const one = () => ({
        ...who('mix'),
        notificationId,
        deliveryId: uuidv7(),
        draft: draftFromContent({ title: 't', body: 'b' }, T0),
      });
      const other = (i: number) => ({
        ...who(`mix-${i}`),
        notificationId,
        deliveryId: uuidv7(),
        draft: draftFromContent({ title: 't', body: 'b' }, T0),
      });
      await Promise.all([
        ...Array.from({ length: 6 }, (_v, i) => store.deliverMany([other(i), one(), other(i + 10)], T0)),
        ...Array.from({ length: 6 }, () => deliver('mix', { title: 't', body: 'b' })),
      ]);
      const events = await store.eventsSince(who('mix'), 0, 100);
      assert.deepEqual(
        events.map((e) => e.seq),
        Array.from({ length: 12 }, (_v, i) => i + 1),
      );
    });

    it("writes a recipient's repeats in one call in their order, around a collapse key", async () => {
      const d = (recipientId: string, title: string, collapseKey?: string) => ({
        ...who(recipientId),
        notificationId,
        deliveryId: uuidv7(),
        draft: draftFromContent({ title, body: 'b', ...(collapseKey ? { collapseKey } : {}) }, T0),
      });
      // kit three times (second batch, third batch), lou with a collapse key between two plain items.
      const ds = [
        d('kit', 'k1'),
        d('lou', 'l1'),
        d('kit', 'k2'),
        d('lou', 'l2', 'c'),
        d('max', 'm1'),
        d('lou', 'l3'),
        d('kit', 'k3'),
      ];
      const results = await store.deliverMany(ds, T0);
      assert.deepEqual(
        results.map((r) => r.created),
        ds.map(() => true),
      );
      const titles = async (r: string) =>
        (await store.eventsSince(who(r), 0, 10)).map((e) => [
          e.seq,
          e.body.type === 'item.created' ? e.body.item.title : e.body.type,
        ]);
      assert.deepEqual(await titles('kit'), [
        [1, 'k1'],
        [2, 'k2'],
        [3, 'k3'],
      ]);
      assert.deepEqual(await titles('lou'), [
        [1, 'l1'],
        [2, 'l2'],
        [3, 'l3'],
      ]);
      assert.deepEqual(
        results.map((r) => r.lastSeq),
        [1, 1, 2, 2, 1, 3, 3],
      );
    });

    it("counts, expires and prunes each batch recipient's own inbox, one service's apart from another's", async () => {
      // The same recipient id in a second service: nothing of one may count or go for the other.
      const otherService = uuidv7();
      await kyselyServiceStore(database.db).create(
        { id: otherService, name: 'S2', types: [{ key: 'trade_executed', description: '' }] },
        { id: uuidv7(), publicId: 'c'.repeat(16), secretHash: 'e'.repeat(64), label: null },
      );
      const old = new Date(T0.getTime() - 8 * 24 * 3600 * 1000);
      const d = (
        serviceId: string,
        recipientId: string,
        now: Date,
        content: Record<string, unknown> = {},
      ) => ({
        serviceId,
        recipientId,
        notificationId,
        deliveryId: uuidv7(),
        draft: draftFromContent({ title: 't', body: 'b', ...content }, now),
      });
      // pam: 63 old events, so the batch's event is her 64th and prunes; "q,{u}" 3 old events, one of
      // them an item expiring; pam in the other service 63 old events too, one of them expiring.
      for (let i = 0; i < 63; i++) await store.deliver(d(serviceId, 'pam', old), old);
      await store.deliver(d(serviceId, 'q,{u}', old), old);
      await store.deliver(d(serviceId, 'q,{u}', old, { ttlSeconds: 60 }), old);
      await store.deliver(d(serviceId, 'q,{u}', old), old);
      for (let i = 0; i < 62; i++) await store.deliver(d(otherService, 'pam', old), old);
      await store.deliver(d(otherService, 'pam', old, { ttlSeconds: 60 }), old);
      const results = await store.deliverMany(
        [d(serviceId, 'pam', T0), d(otherService, 'pam', T0), d(serviceId, 'q,{u}', T0)],
        T0,
      );
      assert.deepEqual(
        results.map((r) => r.lastSeq),
        [64, 65, 5],
        "each recipient's expired items are removed with events of their own",
      );
      const pam = await store.eventsSince(who('pam'), 0, 100);
      assert.deepEqual(
        pam.map((e) => e.seq),
        [64],
        'events past the retention are pruned for the recipient who crossed 64, in this service',
      );
      assert.deepEqual(pam[0]?.body.counts, { unread: 64, unseen: 64 });
      const otherPam = await store.eventsSince({ serviceId: otherService, recipientId: 'pam' }, 0, 100);
      assert.deepEqual(
        otherPam.slice(-2).map((e) => e.body.type),
        ['item.removed', 'item.created'],
      );
      assert.equal(otherPam.at(0)?.seq, 64, 'the other pam crossed 64 too, and only her old events went');
      assert.deepEqual(otherPam.at(-1)?.body.counts, { unread: 63, unseen: 63 });
      const q = await store.eventsSince(who('q,{u}'), 0, 100);
      assert.deepEqual(
        q.map((e) => [e.seq, e.body.type]),
        [
          [1, 'item.created'],
          [2, 'item.created'],
          [3, 'item.created'],
          [4, 'item.removed'],
          [5, 'item.created'],
        ],
        'no prune below 64 events',
      );
      assert.deepEqual(q.at(-1)?.body.counts, { unread: 3, unseen: 3 });
    });

    it("announces without leaving its connection's commits asynchronous", async () => {
      await database.db.connection().execute(async (c) => {
        const bus = pgNotifyBus({ db: c, listen: (on, channel) => database.listen(on, channel) });
        await bus.publishMany([who('nia'), who('ole')]);
        await bus.publish(who('nia'));
        const { rows } = await sql<{ s: string }>`select current_setting('synchronous_commit') as s`.execute(
          c,
        );
        assert.equal(rows[0]?.s, 'on', 'synchronous_commit was set for the NOTIFY transaction only');
      });
    });

    it('carries many wake-ups in one NOTIFY payload, split under the size limit', async () => {
      const bus = pgNotifyBus(database);
      const heard: RecipientRef[] = [];
      const unsubscribe = await bus.subscribe((r) => heard.push(r));
      try {
        const many = Array.from({ length: 300 }, (_v, i) => who(`r-${i}-${'x'.repeat(40)}`));
        await bus.publishMany(many);
        const deadline = Date.now() + 10_000;
        while (heard.length < many.length && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(heard, many);
      } finally {
        await unsubscribe();
      }
    });

    it('carries wake-ups on its own NOTIFY channel', async () => {
      const bus = pgNotifyBus(database);
      const heard: RecipientRef[] = [];
      const unsubscribe = await bus.subscribe((r) => heard.push(r));
      try {
        await bus.publish(who('ann "quoted" \u00e9'));
        const deadline = Date.now() + 10_000;
        while (heard.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(heard, [who('ann "quoted" \u00e9')]);
      } finally {
        await unsubscribe();
      }
    });
  });
}

onEachDatabase(contract);
