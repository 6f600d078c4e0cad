/**
 * The broadcast planner's writes, on PGlite and PostgreSQL: a batch's deliveries arrive exactly as
 * planned whatever their text (they travel as column arrays), and batches written concurrently move
 * the cursor strictly in order — a batch whose predecessor failed, or that does not start where the
 * cursor is, writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyServiceStore } from '../../src/adapters/store/kysely-services.ts';
import { kyselyNotificationStore } from '../../src/adapters/store/kysely-notifications.ts';
import { kyselyPlanQueue } from '../../src/adapters/store/kysely-plan-queue.ts';
import { kyselyFanoutStore } from '../../src/adapters/store/kysely-fanout-store.ts';
import { kyselyNotificationCanceller } from '../../src/adapters/store/kysely-notification-cancel.ts';
import type { NotificationToPlan, PlannedDelivery } from '../../src/domain/types.ts';
import { onEachDatabase } from '../helpers/databases.ts';

const OWNER = 'planner';

const delivery = (recipientId: string, extra: Partial<PlannedDelivery> = {}): PlannedDelivery => ({
  id: uuidv7(),
  recipientId,
  channel: 'email',
  address: `${recipientId}@example.com`,
  status: 'queued',
  reason: null,
  content: { subject: 'Hi', text: `Hello ${recipientId}` },
  ...extra,
});

function contract(
  name: string,
  open: () => Promise<{ database: Database; cleanup(): Promise<void> }>,
  skip: string | false,
  /** One connection (PGlite): a transaction waiting on another one would wait forever. */
  concurrent: boolean,
) {
  describe(`fan-out store: ${name}`, { skip }, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    let serviceId: string;

    /** A claimed broadcast to everyone, ready for its batches. */
    async function broadcast(): Promise<NotificationToPlan> {
      const notifications = kyselyNotificationStore(database.db);
      const id = uuidv7();
      await notifications.accept({
        id,
        serviceId,
        type: 't',
        recipientId: '',
        audience: { kind: 'all' },
        channels: ['email', 'push'],
        data: {},
        content: {},
        priority: 'high',
        idempotencyKey: null,
        requestHash: 'h',
      });
      const claimed = (await kyselyPlanQueue(database.db).claim(OWNER, 100, 60_000)).find((c) => c.id === id);
      assert.ok(claimed?.audience);
      const store = kyselyFanoutStore(database.db);
      assert.ok(await store.begin({ ...claimed, audience: claimed.audience }, OWNER));
      return claimed;
    }

    const progress = async (id: string) =>
      (
        await sql<{ cursor: string | null; planned: number; rows: number }>`
          select plan_cursor as cursor, planned_count::int as planned,
                 (select count(*)::int from deliveries where notification_id = ${id}) as rows
            from notifications where id = ${id}`.execute(database.db)
      ).rows[0];

    before(async () => {
      const opened = await open();
      database = opened.database;
      cleanup = () => opened.cleanup();
      await migrateToLatest(database.db);
      serviceId = uuidv7();
      await kyselyServiceStore(database.db).create(
        { id: serviceId, name: 'S', types: [{ key: 't', description: '' }] },
        { id: uuidv7(), publicId: 'b'.repeat(16), secretHash: 'f'.repeat(64), label: null },
      );
    });
    after(async () => {
      await database?.close();
      await cleanup?.();
    });

    it('writes every column of a batch exactly as planned, whatever the text', async () => {
      const n = await broadcast();
      const tricky = 'quote " backslash \\ comma , braces {} [] NULL null ümlaut 中文 😀 \n tab \t';
      const shared = { subject: 'Same for all', text: 'INFY' };
      const until = new Date('2031-01-02T03:04:05.678Z');
      const planned: PlannedDelivery[] = [
        delivery('a"1', { content: { subject: tricky, html: `<p>${tricky}</p>`, list: [1, 'two', null] } }),
        delivery('b\\2', { content: shared, template: { locale: 'de-CH', version: 3 } }),
        delivery('c,3', { content: { ...shared }, template: { locale: 'de-CH', version: 3 } }),
        delivery('d{4}', { status: 'deferred', reason: 'quiet_hours', notBefore: until }),
        delivery('e 5', {
          status: 'failed',
          reason: 'template_render_error',
          errorMessage: `bad ${tricky}`,
          address: null,
          content: {},
        }),
        delivery('f6', {
          channel: 'push',
          target: 'device-"1"',
          address: 'tok,en',
          content: { keys: { a: 'b' } },
        }),
        delivery('f6', { channel: 'push', target: 'device-2', address: 'token-2' }),
      ];
      const store = kyselyFanoutStore(database.db);
      assert.equal(
        await store.writeBatch(
          n,
          OWNER,
          { from: null, cursor: 'f6', members: 6, deliveries: planned },
          60_000,
        ),
        true,
      );
      const { rows } = await sql<{
        id: string;
        notification_id: string;
        service_id: string;
        recipient_id: string;
        channel: string;
        address: string | null;
        status: string;
        priority: number;
        content: unknown;
        reason: string | null;
        last_error_code: string | null;
        last_error_message: string | null;
        next_attempt_at: Date;
        target: string;
        template: unknown;
        bulk: boolean;
      }>`select * from deliveries where notification_id = ${n.id}`.execute(database.db);
      assert.equal(rows.length, planned.length);
      for (const d of planned) {
        const row = rows.find((r) => r.id === d.id);
        assert.ok(row, d.recipientId);
        assert.equal(row.notification_id, n.id);
        assert.equal(row.service_id, serviceId);
        assert.equal(row.priority, 1, 'high');
        assert.equal(row.recipient_id, d.recipientId);
        assert.equal(row.channel, d.channel);
        assert.equal(row.address, d.address);
        assert.equal(row.status, d.status);
        assert.deepEqual(row.content, d.content);
        assert.equal(row.reason, d.reason);
        assert.equal(row.last_error_code, d.status === 'failed' ? d.reason : null);
        assert.equal(row.last_error_message, d.errorMessage ?? null);
        assert.equal(row.target, d.target ?? '');
        assert.deepEqual(row.template, d.template ?? null);
        assert.equal(row.bulk, true);
        if (d.notBefore) assert.equal(new Date(row.next_attempt_at).getTime(), d.notBefore.getTime());
      }
      assert.deepEqual(await progress(n.id), { cursor: 'f6', planned: 6, rows: planned.length });
    });

    it('moves the cursor only from where the batch before left it', async () => {
      const n = await broadcast();
      const store = kyselyFanoutStore(database.db);
      const batch = (from: string | null, cursor: string) => ({
        from,
        cursor,
        members: 1,
        deliveries: [delivery(cursor)],
      });
      assert.equal(await store.writeBatch(n, OWNER, batch(null, 'r1'), 60_000), true);
      // A batch that does not start at the stored cursor (it would skip or repeat) writes nothing.
      assert.equal(await store.writeBatch(n, OWNER, batch('r0', 'r2'), 60_000), false);
      assert.equal(await store.writeBatch(n, OWNER, batch(null, 'r2'), 60_000), false);
      // Nor does one whose predecessor failed, even when it starts at the right place.
      assert.equal(
        await store.writeBatch(n, OWNER, batch('r1', 'r2'), 60_000, Promise.resolve(false)),
        false,
      );
      const boom = Promise.reject(new Error('boom'));
      boom.catch(() => undefined);
      await assert.rejects(store.writeBatch(n, OWNER, batch('r1', 'r2'), 60_000, boom), /boom/);
      assert.deepEqual(await progress(n.id), { cursor: 'r1', planned: 1, rows: 1 });
      // Two batches in flight at once both land, in order.
      const first = store.writeBatch(n, OWNER, batch('r1', 'r2'), 60_000);
      const second = store.writeBatch(n, OWNER, batch('r2', 'r3'), 60_000, first);
      assert.deepEqual(await Promise.all([first, second]), [true, true]);
      assert.deepEqual(await progress(n.id), { cursor: 'r3', planned: 3, rows: 3 });
    });

    it(
      'a batch in flight when the broadcast is cancelled writes nothing',
      { skip: concurrent ? false : 'one connection: the cancel would wait for the batch' },
      async () => {
        const n = await broadcast();
        const store = kyselyFanoutStore(database.db);
        let release: (ok: boolean) => void = () => undefined;
        const previous = new Promise<boolean>((resolve) => (release = resolve));
        const write = store.writeBatch(
          n,
          OWNER,
          { from: null, cursor: 'r1', members: 1, deliveries: [delivery('r1')] },
          60_000,
          previous,
        );
        // The batch has inserted and waits for its predecessor when the cancel commits.
        await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(await kyselyNotificationCanceller(database.db).cancel(serviceId, n.id), {
          cancelledDeliveries: 0,
        });
        release(true);
        assert.equal(await write, false);
        assert.deepEqual(await progress(n.id), { cursor: null, planned: 0, rows: 0 });
      },
    );
  });
}

onEachDatabase((name, open, skip, kind) => contract(name, open, skip, kind === 'postgres'));
