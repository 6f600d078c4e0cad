/**
 * Planning a broadcast through the real stores, on PGlite and PostgreSQL, in batches small enough
 * that the next batch is always being read while one is rendered and written: each recipient's
 * preferences (a channel switched off, an unsubscribe, a frequency cap that applies to one recipient
 * only) and per-recipient rendering hold batch by batch; a planner stopped between batches hands the
 * broadcast back, and the next one resumes it with exactly one delivery per recipient. Deleting a
 * notification, or its service, takes its deliveries along (migration 0032 replaced the foreign key
 * by a statement trigger).
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
import { kyselyNotificationTypeStore } from '../../src/adapters/store/kysely-notification-types.ts';
import { kyselyTemplateStore } from '../../src/adapters/store/kysely-templates.ts';
import { kyselyPreferenceStore } from '../../src/adapters/store/kysely-preferences.ts';
import { kyselySuppressionList } from '../../src/adapters/store/kysely-receipts.ts';
import { planBroadcast, type BroadcastDeps } from '../../src/app/fanout.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import { onEachDatabase } from '../helpers/databases.ts';

const OWNER = 'planner';
const BATCH = 3;
/**
 * u01 … u10; u03 switched email off, u05 unsubscribed, u07 capped at one a day and already had one,
 * u09's address (written in another case) on the suppression list.
 */
const IDS = Array.from({ length: 10 }, (_, i) => `u${String(i + 1).padStart(2, '0')}`);

function suite(
  name: string,
  open: () => Promise<{ database: Database; cleanup(): Promise<void> }>,
  skip: string | false,
) {
  describe(`broadcast planning: ${name}`, { skip }, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    let serviceId: string;

    const deps = (extra: Partial<BroadcastDeps> = {}): BroadcastDeps => ({
      store: kyselyFanoutStore(database.db),
      types: kyselyNotificationTypeStore(database.db),
      templates: kyselyTemplateStore(database.db),
      preferences: kyselyPreferenceStore(database.db),
      suppressions: kyselySuppressionList(database.db),
      renderer: createTemplateRenderer(),
      now: () => new Date(),
      batchSize: BATCH,
      writesInFlight: 2,
      leaseMs: 60_000,
      ...extra,
    });

    /** Accepts a broadcast to everyone and claims it for planning. */
    async function claimBroadcast(type: string, id = uuidv7()) {
      await kyselyNotificationStore(database.db).accept({
        id,
        serviceId,
        type,
        recipientId: '',
        audience: { kind: 'all' },
        channels: ['email'],
        data: { symbol: 'INFY' },
        content: { email: { subject: '{{ symbol }}', text: 'Hi {{ recipient.name }}, {{ symbol }}' } },
        priority: 'normal',
        idempotencyKey: null,
        requestHash: 'h',
      });
      return claim(id);
    }

    async function claim(id: string) {
      const claimed = (await kyselyPlanQueue(database.db).claim(OWNER, 100, 60_000)).find((c) => c.id === id);
      assert.ok(claimed?.audience, 'claimed');
      return { ...claimed, audience: claimed.audience };
    }

    const deliveries = async (notificationId: string) =>
      (
        await sql<{
          recipient_id: string;
          status: string;
          reason: string | null;
          content: { text?: string };
        }>`
          select recipient_id, status, reason, content from deliveries
           where notification_id = ${notificationId} order by recipient_id`.execute(database.db)
      ).rows;

    before(async () => {
      const opened = await open();
      database = opened.database;
      cleanup = () => opened.cleanup();
      await migrateToLatest(database.db);
      serviceId = uuidv7();
      await kyselyServiceStore(database.db).create(
        { id: serviceId, name: 'S', types: [{ key: 'trade', description: '' }] },
        { id: uuidv7(), publicId: 'c'.repeat(16), secretHash: 'e'.repeat(64), label: null },
      );
      await kyselyNotificationTypeStore(database.db).put(serviceId, {
        key: 'promo',
        description: '',
        category: null,
        kind: 'commercial',
        defaultChannels: ['email'],
        ttlSeconds: null,
        collapseKey: null,
        tracking: { opens: false, clicks: false },
      });
      for (const id of IDS) {
        const preferences =
          id === 'u03'
            ? { channels: { email: false } }
            : id === 'u05'
              ? { unsubscribed: true }
              : id === 'u07'
                ? { frequencyLimit: 1 }
                : {};
        await sql`insert into recipients (service_id, id, email, attributes, preferences)
                  values (${serviceId}, ${id}, ${id === 'u09' ? 'U09@Example.com' : `${id}@example.com`}, ${JSON.stringify({ name: `Name ${id}` })}::jsonb,
                          ${JSON.stringify(preferences)}::jsonb)`.execute(database.db);
      }
      await sql`insert into suppressions (service_id, channel, address, reason)
                values (${serviceId}, 'email', 'u09@example.com', 'bounce')`.execute(database.db);
    });
    after(async () => {
      await database?.close();
      await cleanup?.();
    });

    it('decides and renders each recipient as its own, batch after batch', async () => {
      // u07's earlier commercial notification today, which its cap of one counts.
      const earlier = await claimBroadcast('promo');
      assert.equal(await planBroadcast(deps(), earlier, OWNER), 'planned');
      const promo = await claimBroadcast('promo');
      assert.equal(await planBroadcast(deps(), promo, OWNER), 'planned');
      const rows = await deliveries(promo.id);
      assert.deepEqual(
        rows.map((r) => r.recipient_id),
        IDS,
      );
      for (const r of rows) {
        const expected =
          r.recipient_id === 'u03'
            ? ['suppressed', 'channel_opt_out']
            : r.recipient_id === 'u05'
              ? ['suppressed', 'unsubscribed']
              : r.recipient_id === 'u07'
                ? ['suppressed', 'frequency_cap']
                : r.recipient_id === 'u09'
                  ? ['suppressed', 'address_suppressed']
                  : ['queued', null];
        assert.deepEqual([r.status, r.reason], expected, r.recipient_id);
        if (r.status === 'queued') assert.equal(r.content.text, `Hi Name ${r.recipient_id}, INFY`);
      }
      // A transactional type knows no cap and no unsubscribe: the switched-off channel and the
      // suppressed address still hold.
      const trade = await claimBroadcast('trade');
      assert.equal(await planBroadcast(deps(), trade, OWNER), 'planned');
      const tradeRows = await deliveries(trade.id);
      assert.deepEqual(
        tradeRows.filter((r) => r.status !== 'queued').map((r) => [r.recipient_id, r.reason]),
        [
          ['u03', 'channel_opt_out'],
          ['u09', 'address_suppressed'],
        ],
      );
    });

    it('stopped between batches while the next one is read ahead, resumes with one delivery each', async () => {
      const n = await claimBroadcast('trade');
      let batches = 0;
      const first = await planBroadcast(
        deps({ onBatch: () => void batches++, stopping: () => batches >= 1 }),
        n,
        OWNER,
      );
      assert.equal(first, 'stopped');
      const written = await deliveries(n.id);
      assert.ok(
        written.length > 0 && written.length < IDS.length,
        `${written.length} written before the stop`,
      );
      const { rows } = await sql<{ planned: number; cursor: string | null }>`
        select planned_count::int as planned, plan_cursor as cursor from notifications where id = ${n.id}`.execute(
        database.db,
      );
      // The cursor stands exactly after the rows written: nothing read ahead was counted.
      assert.equal(rows[0]?.planned, written.length);
      assert.equal(rows[0]?.cursor, written.at(-1)?.recipient_id);
      const resumed: string[] = [];
      assert.equal(
        await planBroadcast(
          deps({ onResume: (_n, cursor) => void resumed.push(cursor) }),
          await claim(n.id),
          OWNER,
        ),
        'planned',
      );
      assert.deepEqual(resumed, [written.at(-1)?.recipient_id]);
      assert.deepEqual(
        (await deliveries(n.id)).map((r) => r.recipient_id),
        IDS,
      );
    });

    it('takes deliveries along when their notification or their service is deleted', async () => {
      const n = await claimBroadcast('trade');
      assert.equal(await planBroadcast(deps(), n, OWNER), 'planned');
      const kept = await claimBroadcast('trade');
      assert.equal(await planBroadcast(deps(), kept, OWNER), 'planned');
      await sql`delete from notifications where id = ${n.id}`.execute(database.db);
      assert.equal((await deliveries(n.id)).length, 0);
      assert.equal((await deliveries(kept.id)).length, IDS.length);
      await sql`delete from services where id = ${serviceId}`.execute(database.db);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from deliveries`.execute(
        database.db,
      );
      assert.equal(rows[0]?.n, 0);
    });
  });
}

onEachDatabase(suite);
