/**
 * The contract of the inbox bus (ports/inbox.ts `InboxBus`), run by every adapter: PostgreSQL
 * LISTEN/NOTIFY (on a connection of its own, as in server mode), the same on PGlite (embedded mode),
 * and Redis pub/sub. A bus carries "this recipient's inbox changed" from a publisher to every
 * subscriber, refs intact (with the events they carry, when those fit a message), in as many
 * messages as the transport needs, and stops at unsubscribe.
 * Each run uses service ids of its own, so traffic of other tests on a shared Redis is ignored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { pgNotifyBus } from '../../src/adapters/realtime/pg-notify-bus.ts';
import { redisBus } from '../../src/adapters/realtime/redis-bus.ts';
import type { InboxBus, RecipientRef } from '../../src/ports/inbox.ts';
import type { InboxEvent, InboxItem } from '../../src/domain/inbox.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';
import { REDIS_URL, skipWithoutRedis } from '../helpers/redis.ts';

interface BusRig {
  /** Two buses as two processes would hold them (publisher and subscriber may differ). */
  a: InboxBus;
  b: InboxBus;
  close(): Promise<void>;
}

/** Collects what one subscriber hears of the given service, and waits until it has heard enough. */
function listener(serviceId: string) {
  const heard: RecipientRef[] = [];
  const waiters: (() => void)[] = [];
  return {
    heard,
    onChange: (r: RecipientRef) => {
      if (r.serviceId !== serviceId) return;
      heard.push(r);
      for (const w of waiters.splice(0)) w();
    },
    until: async (count: number, timeoutMs = 10_000): Promise<RecipientRef[]> => {
      const deadline = Date.now() + timeoutMs;
      while (heard.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) assert.fail(`heard ${heard.length} of ${count} changes`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return heard;
    },
  };
}

function inboxBusContract(name: string, open: () => Promise<BusRig>, skip: string | false): void {
  describe(`inbox bus contract: ${name}`, { skip, timeout: 60_000 }, () => {
    let rig: BusRig;
    before(async () => {
      rig = await open();
    });
    after(async () => {
      await rig?.close();
    });

    it('has a name', () => {
      assert.ok(rig.a.name.length > 0);
    });

    it('carries one ref from a publisher to every subscriber, intact', async () => {
      const serviceId = randomUUID();
      const one = listener(serviceId);
      const two = listener(serviceId);
      const stops = [await rig.a.subscribe(one.onChange), await rig.b.subscribe(two.onChange)];
      try {
        // Separators and non-ASCII in a recipient id must survive the encoding.
        const ref = { serviceId, recipientId: 'ann:"x",[1]\\ é 漢字 👋' };
        await rig.a.publish(ref);
        assert.deepEqual(await one.until(1), [ref]);
        assert.deepEqual(await two.until(1), [ref]);
      } finally {
        for (const stop of stops) await stop();
      }
    });

    it('carries many refs, split as the transport needs, none lost or changed', async () => {
      const serviceId = randomUUID();
      const l = listener(serviceId);
      const stop = await rig.b.subscribe(l.onChange);
      try {
        // Enough to need several messages on every transport (NOTIFY payloads stop at 8000 bytes).
        const refs = Array.from({ length: 3000 }, (_, i) => ({ serviceId, recipientId: `user-${i}` }));
        await rig.a.publishMany(refs);
        const heard = await l.until(refs.length);
        assert.deepEqual(new Set(heard.map((r) => r.recipientId)), new Set(refs.map((r) => r.recipientId)));
        await rig.a.publishMany([]);
      } finally {
        await stop();
      }
    });

    it('carries the events an announcement holds when they fit, and the recipient alone when not', async () => {
      const serviceId = randomUUID();
      const heard: { r: RecipientRef; events: InboxEvent[] | undefined }[] = [];
      const stop = await rig.b.subscribe((r, events) => {
        if (r.serviceId === serviceId) heard.push({ r, events });
      });
      try {
        const item = (title: string): InboxItem => ({
          id: randomUUID(),
          type: 'trade_executed',
          title,
          body: 'b',
          actionUrl: null,
          data: { n: 1, nested: { ok: true } },
          collapseKey: null,
          createdAt: new Date('2026-03-02T09:15:00.123Z'),
          seenAt: null,
          readAt: null,
          archivedAt: null,
          expiresAt: new Date('2026-03-09T09:15:00Z'),
        });
        const counts = { unread: 2, unseen: 1 };
        const small: InboxEvent[] = [
          { seq: 7, body: { type: 'item.removed', itemId: randomUUID(), reason: 'expired', counts } },
          { seq: 8, body: { type: 'item.created', item: item('ann "x" é'), counts } },
        ];
        const large: InboxEvent[] = [
          { seq: 3, body: { type: 'item.created', item: item('y'.repeat(100_000)), counts } },
        ];
        await rig.a.publishMany([
          { serviceId, recipientId: 'small', events: small },
          { serviceId, recipientId: 'large', events: large },
          { serviceId, recipientId: 'plain' },
        ]);
        const deadline = Date.now() + 10_000;
        while (heard.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(heard, [
          { r: { serviceId, recipientId: 'small' }, events: small },
          { r: { serviceId, recipientId: 'large' }, events: undefined },
          { r: { serviceId, recipientId: 'plain' }, events: undefined },
        ]);
      } finally {
        await stop();
      }
    });

    it('stops delivering once unsubscribed', async () => {
      const serviceId = randomUUID();
      const gone = listener(serviceId);
      const stays = listener(serviceId);
      const stopGone = await rig.b.subscribe(gone.onChange);
      const stopStays = await rig.b.subscribe(stays.onChange);
      try {
        await rig.a.publish({ serviceId, recipientId: 'first' });
        await gone.until(1);
        await stays.until(1);
        await stopGone();
        // Both listen through the same bus: once the one still subscribed hears the next change, the
        // other would have heard it too.
        await rig.a.publish({ serviceId, recipientId: 'second' });
        await stays.until(2);
        assert.deepEqual(
          gone.heard.map((r) => r.recipientId),
          ['first'],
        );
      } finally {
        await stopStays();
      }
    });
  });
}

let pg: TestDatabase | undefined;
inboxBusContract(
  'PostgreSQL LISTEN/NOTIFY',
  async () => {
    pg = await freshDatabase();
    const database = await connect({ databaseUrl: pg.url, dataDir: '' });
    await migrateToLatest(database.db);
    const options = { databaseUrl: pg.url };
    return {
      a: pgNotifyBus(database, options),
      b: pgNotifyBus(database, options),
      async close() {
        await database.close();
        await pg?.drop();
      },
    };
  },
  skipWithoutPg,
);

inboxBusContract(
  'PGlite LISTEN/NOTIFY',
  async () => {
    const database: Database = await connect({ dataDir: 'memory://' });
    await migrateToLatest(database.db);
    return {
      a: pgNotifyBus(database),
      b: pgNotifyBus(database),
      close: () => database.close(),
    };
  },
  false,
);

inboxBusContract(
  'Redis pub/sub',
  async () => {
    const a = redisBus(REDIS_URL, () => undefined);
    const b = redisBus(REDIS_URL, () => undefined);
    return {
      a,
      b,
      async close() {
        await a.close();
        await b.close();
      },
    };
  },
  skipWithoutRedis,
);
