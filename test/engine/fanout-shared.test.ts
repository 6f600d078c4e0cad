/**
 * A broadcast whose message is the same for everyone is written set-based (domain/shared-broadcast.ts,
 * `insertShared` in kysely-fanout-store.ts). What it writes must be exactly what planning each
 * recipient one by one writes: the same broadcast is planned both ways, to everyone, to a topic (with a
 * member that has no recipient row) and to an uploaded audience (with members carrying data of their
 * own), over recipients with and without preferences, without an address, with a suppressed address
 * written in another case, and the rows compared column by column. A member whose preferences change
 * between its batch's read and its write is not planned on what was read: the batch rolls back, the
 * broadcast is handed back and planned again. Runs on PGlite and PostgreSQL.
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
import type { Audience } from '../../src/domain/audience.ts';
import type { Channel } from '../../src/domain/channels.ts';
import type { FanoutStore } from '../../src/ports/audience-store.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import { suppressionKey } from '../../src/domain/channels.ts';
import { onEachDatabase } from '../helpers/databases.ts';

const OWNER = 'planner';
const BATCH = 4;

/** Recipients: id, email, phone, preferences. */
const PEOPLE: [string, string | null, string | null, Record<string, unknown>][] = [
  ['a01', 'a01@example.com', '+15550001', {}],
  ['a02', null, '+15550002', {}],
  ['a03', ' A03@Example.COM ', '+15550003', {}],
  ['a04', 'a04@example.com', '+15550004', { channels: { sms: false } }],
  ['a05', 'a05@example.com', null, { unsubscribed: true }],
  ['a06', 'a06@example.com', '+15550006', {}],
  ['a07', 'a07@example.com', '+15550007', { types: { promo: { email: false } } }],
  ['a08', 'a08@example.com', '+15550008', {}],
  ['a09', 'a09@example.com', '+15550009', {}],
  ['a10', 'a10@example.com', '+15550010', { quietHours: null }],
  ['a11', 'a11@example.com', '+15550011', {}],
];

function suite(
  name: string,
  open: () => Promise<{ database: Database; cleanup(): Promise<void> }>,
  skip: string | false,
) {
  describe(`shared-message broadcasts: ${name}`, { skip }, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    let serviceId: string;
    let audienceId: string;

    /** The real store, counting the shared batches read and the members planned one by one. */
    const counting = (seen: { shared: number; own: number }, wrap?: Partial<FanoutStore>): FanoutStore => {
      const store = kyselyFanoutStore(database.db);
      return {
        ...store,
        async nextSharedBatch(n, cursor, limit) {
          const batch = await store.nextSharedBatch?.(n, cursor, limit);
          if (batch) {
            seen.shared++;
            seen.own += batch.own.length;
          }
          return batch ?? null;
        },
        ...wrap,
      };
    };

    const deps = (store: FanoutStore, setBased: boolean): BroadcastDeps => ({
      store,
      types: kyselyNotificationTypeStore(database.db),
      templates: kyselyTemplateStore(database.db),
      preferences: kyselyPreferenceStore(database.db),
      suppressions: kyselySuppressionList(database.db),
      renderer: createTemplateRenderer(),
      now: () => new Date(),
      batchSize: BATCH,
      writesInFlight: 2,
      leaseMs: 60_000,
      setBased,
    });

    async function claimBroadcast(audience: Audience, type: string, channels: Channel[]) {
      const id = uuidv7();
      await kyselyNotificationStore(database.db).accept({
        id,
        serviceId,
        type,
        recipientId: '',
        audience,
        channels,
        data: { symbol: 'INFY', qty: 5 },
        // sms from the stored template, in_app with no content at all (missing_content).
        content: { email: { subject: '{{ symbol }}', text: 'Bought {{ qty }} {{ symbol }}' } },
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

    /** Every column planning decides, in a fixed order. */
    const rows = async (notificationId: string) =>
      (
        await sql<Record<string, unknown>>`
          select recipient_id, channel, target, address, status, reason, last_error_code,
                 last_error_message, content, template, priority, bulk, attempts, lease_owner,
                 substr(id::text, 15, 1) as version
            from deliveries where notification_id = ${notificationId}
           order by recipient_id, channel, target`.execute(database.db)
      ).rows;

    before(async () => {
      const opened = await open();
      database = opened.database;
      cleanup = () => opened.cleanup();
      await migrateToLatest(database.db);
      serviceId = uuidv7();
      await kyselyServiceStore(database.db).create(
        { id: serviceId, name: 'S', types: [{ key: 'trade', description: '' }] },
        { id: uuidv7(), publicId: 'd'.repeat(16), secretHash: 'f'.repeat(64), label: null },
      );
      await kyselyNotificationTypeStore(database.db).put(serviceId, {
        key: 'promo',
        description: '',
        category: 'marketing',
        kind: 'commercial',
        defaultChannels: ['email'],
        ttlSeconds: null,
        collapseKey: null,
        tracking: { opens: false, clicks: false },
      });
      for (const type of ['trade', 'promo']) {
        await kyselyTemplateStore(database.db).save(serviceId, {
          typeKey: type,
          channel: 'sms',
          locale: 'default',
          content: { text: '{{ symbol }} bought' },
        });
      }
      for (const [id, email, phone, preferences] of PEOPLE) {
        await sql`insert into recipients (service_id, id, email, phone, attributes, preferences)
                  values (${serviceId}, ${id}, ${email}, ${phone}, '{}'::jsonb,
                          ${JSON.stringify(preferences)}::jsonb)`.execute(database.db);
      }
      await sql`insert into suppressions (service_id, channel, address, reason)
                values (${serviceId}, 'email', 'a03@example.com', 'bounce'),
                       (${serviceId}, 'sms', '+15550008', 'complaint')`.execute(database.db);
      for (const id of ['a01', 'a02', 'a04', 'a05', 'a06', 'a08', 'a09', 'zz-gone']) {
        await sql`insert into topic_subscribers (service_id, topic, recipient_id)
                  values (${serviceId}, 'traders', ${id})`.execute(database.db);
      }
      audienceId = uuidv7();
      await sql`insert into audiences (id, service_id, size, ready) values (${audienceId}, ${serviceId}, 6, true)`.execute(
        database.db,
      );
      for (const [id, data] of [
        ['a01', null],
        ['a03', null],
        ['a06', { symbol: 'TCS' }],
        ['a07', null],
        ['a09', null],
        ['nobody', null],
      ] as const) {
        await sql`insert into audience_members (audience_id, recipient_id, data)
                  values (${audienceId}, ${id}, ${data === null ? null : JSON.stringify(data)}::jsonb)`.execute(
          database.db,
        );
      }
    });
    after(async () => {
      await database?.close();
      await cleanup?.();
    });

    /** Plans the broadcast both ways and returns both row sets and what the shared path saw. */
    async function bothWays(audience: Audience, type: string, channels: Channel[]) {
      const seen = { shared: 0, own: 0 };
      const shared = await claimBroadcast(audience, type, channels);
      assert.equal(await planBroadcast(deps(counting(seen), true), shared, OWNER), 'planned');
      const one = await claimBroadcast(audience, type, channels);
      assert.equal(await planBroadcast(deps(kyselyFanoutStore(database.db), false), one, OWNER), 'planned');
      const progress = await sql<{ id: string; planned: number; status: string }>`
        select id, planned_count::int as planned, plan_status as status from notifications
         where id in (${shared.id}, ${one.id})`.execute(database.db);
      const [a, b] = [shared.id, one.id].map((id) => progress.rows.find((r) => r.id === id));
      assert.deepEqual(
        { planned: a?.planned, status: a?.status },
        { planned: b?.planned, status: b?.status },
      );
      return { shared: await rows(shared.id), one: await rows(one.id), seen };
    }

    for (const [label, audience] of [
      ['everyone', { kind: 'all' }],
      ['a topic with a member that has no recipient', { kind: 'topic', topic: 'traders' }],
      ['an uploaded audience with data of its own', { kind: 'list', id: '' }],
    ] as const) {
      it(`writes to ${label} exactly what planning one by one writes`, async () => {
        const a: Audience = audience.kind === 'list' ? { kind: 'list', id: audienceId } : audience;
        for (const [type, channels] of [
          ['trade', ['email', 'sms', 'in_app']],
          ['promo', ['email', 'sms']],
        ] as const) {
          const { shared, one, seen } = await bothWays(a, type, [...channels]);
          assert.ok(shared.length > 0);
          assert.deepEqual(shared, one);
          // The shared path did the work: most members were not planned one by one.
          assert.ok(seen.shared > 0, 'shared batches read');
          const total = a.kind === 'all' ? PEOPLE.length : a.kind === 'topic' ? 8 : 6;
          assert.ok(seen.own < total / 2 + 1, `${seen.own} of ${total} planned one by one`);
          assert.ok(shared.every((r) => r.version === '7'));
        }
      });
    }

    it('covers every outcome a shared plan can give', async () => {
      await kyselyPreferenceStore(database.db).setServiceDefaults(serviceId, { channels: { in_app: false } });
      try {
        const { shared, one } = await bothWays({ kind: 'all' }, 'trade', ['email', 'sms', 'in_app']);
        assert.deepEqual(shared, one);
        const outcomes = new Set(shared.map((r) => `${String(r.status)}:${String(r.reason)}`));
        for (const o of [
          'queued:null',
          'failed:recipient_missing_address',
          'suppressed:address_suppressed',
          'suppressed:channel_opt_out',
        ]) {
          assert.ok(outcomes.has(o), o);
        }
      } finally {
        await kyselyPreferenceStore(database.db).setServiceDefaults(serviceId, {});
      }
      const { shared } = await bothWays({ kind: 'all' }, 'trade', ['email', 'sms', 'in_app']);
      assert.ok(shared.some((r) => r.reason === 'missing_content' && r.channel === 'in_app'));
    });

    it('finds a suppressed email address as the suppression list keys it, whatever its letters', async () => {
      // Keyed as suppressionKey writes them: JavaScript's trim() and toLowerCase(). Addresses that
      // start or end with a `v`, carry non-ASCII letters or are wrapped in a no-break space must be
      // looked up under exactly that key, not under what PostgreSQL's btrim/lower make of them.
      const people: [string, string][] = [
        ['s01', 'vera@example.dev'],
        ['s02', '\u00a0S02@Example.com\u00a0'],
        ['s03', 'ÄRGER@example.com'],
        ['s04', 'ΟΔΥΣΣΕΥΣ@example.com'],
        ['s05', ' Vv@example.com\v'],
      ];
      try {
        for (const [id, email] of people) {
          await sql`insert into recipients (service_id, id, email, attributes, preferences)
                    values (${serviceId}, ${id}, ${email}, '{}'::jsonb, '{}'::jsonb)`.execute(database.db);
          const key = suppressionKey('email', email);
          await sql`insert into suppressions (service_id, channel, address, reason)
                    values (${serviceId}, 'email', ${key.slice(key.indexOf('\n') + 1)}, 'bounce')`.execute(
            database.db,
          );
        }
        const { shared, one } = await bothWays({ kind: 'all' }, 'trade', ['email']);
        assert.deepEqual(shared, one);
        for (const [id] of people) {
          const row = shared.find((r) => r.recipient_id === id);
          assert.deepEqual([id, row?.status, row?.reason], [id, 'suppressed', 'address_suppressed']);
        }
      } finally {
        const ids = people.map(([id]) => id);
        await sql`delete from suppressions where service_id = ${serviceId} and channel = 'email'
                     and address <> 'a03@example.com'`.execute(database.db);
        await sql`delete from deliveries where service_id = ${serviceId} and recipient_id in (${sql.join(ids)})`.execute(
          database.db,
        );
        await sql`delete from recipients where service_id = ${serviceId} and id in (${sql.join(ids)})`.execute(
          database.db,
        );
      }
    });

    it('reads a batch again when a member changed between its read and its write', async () => {
      const seen = { shared: 0, own: 0 };
      const store = kyselyFanoutStore(database.db);
      let changed = false;
      const racing = counting(seen, {
        async writeBatch(n, owner, batch, leaseMs, previous) {
          if (!changed && batch.shared && batch.from === null) {
            // a01 was read without preferences; it switches email off before the batch is written.
            changed = true;
            await sql`update recipients set preferences = '{"channels":{"email":false}}'::jsonb
                       where service_id = ${serviceId} and id = 'a01'`.execute(database.db);
          }
          return store.writeBatch(n, owner, batch, leaseMs, previous);
        },
      });
      try {
        const n = await claimBroadcast({ kind: 'all' }, 'trade', ['email']);
        // One write at a time: PGlite has one connection, and with two in flight the second batch's
        // transaction could take it (and wait there for the first batch) before the first batch's
        // update above ran, which then waited for it: a deadlock, now and then.
        const oneAtATime = (store: FanoutStore) => ({ ...deps(store, true), writesInFlight: 1 });
        assert.equal(await planBroadcast(oneAtATime(racing), n, OWNER), 'stopped');
        assert.ok(changed);
        const { rows: state } = await sql<{ status: string; owner: string | null }>`
          select plan_status as status, lease_owner as owner from notifications where id = ${n.id}`.execute(
          database.db,
        );
        // Handed back for another planner at once, not left leased until the lease runs out.
        assert.deepEqual(state[0], { status: 'pending', owner: null });
        assert.equal(await planBroadcast(oneAtATime(racing), await claim(n.id), OWNER), 'planned');
        const written = await rows(n.id);
        assert.deepEqual(
          written.map((r) => r.recipient_id),
          PEOPLE.map(([id]) => id),
        );
        const a01 = written.find((r) => r.recipient_id === 'a01');
        assert.deepEqual([a01?.status, a01?.reason], ['suppressed', 'channel_opt_out']);
      } finally {
        await sql`update recipients set preferences = '{}'::jsonb
                   where service_id = ${serviceId} and id = 'a01'`.execute(database.db);
      }
    });
  });
}

onEachDatabase(suite);
