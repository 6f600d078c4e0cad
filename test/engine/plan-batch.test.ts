/**
 * Batch planning (src/app/plan-batch.ts) on real stores (in-memory PGlite): it plans exactly what
 * planning one notification at a time plans, across services, recipients with preferences, devices,
 * locales, templates and unsubscribe links; a burst to one recipient is capped as if planned in order;
 * and a planner whose batch fails still plans every notification on its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { sql } from 'kysely';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyDeviceStore } from '../../src/adapters/store/kysely-devices.ts';
import { kyselyFanoutStore } from '../../src/adapters/store/kysely-fanout-store.ts';
import { kyselyNotificationStore } from '../../src/adapters/store/kysely-notifications.ts';
import { kyselyNotificationTypeStore } from '../../src/adapters/store/kysely-notification-types.ts';
import { kyselyPlanQueue } from '../../src/adapters/store/kysely-plan-queue.ts';
import { kyselyPreferenceStore } from '../../src/adapters/store/kysely-preferences.ts';
import { kyselyRecipientStore } from '../../src/adapters/store/kysely-recipients.ts';
import { kyselyServiceStore } from '../../src/adapters/store/kysely-services.ts';
import { kyselySuppressionList } from '../../src/adapters/store/kysely-receipts.ts';
import { kyselyTemplateStore } from '../../src/adapters/store/kysely-templates.ts';
import { createLinks } from '../../src/app/links.ts';
import { planBatch, type BatchPlanDeps } from '../../src/app/plan-batch.ts';
import { loadPlanContext } from '../../src/app/plan-context.ts';
import { createPlanner } from '../../src/app/plan.ts';
import { planDeliveries } from '../../src/domain/plan-deliveries.ts';
import { addressFor, type Channel } from '../../src/domain/channels.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import type { NotificationToPlan, PlannedDelivery } from '../../src/domain/types.ts';
import { eventually } from '../helpers/api.ts';

const NOW = new Date('2026-11-21T12:00:00Z');
const renderer = createTemplateRenderer();
const links = createLinks('s'.repeat(43), () => 'https://herald.example', {
  ttlSeconds: 86_400,
  now: () => NOW.getTime(),
});

describe('planning one-recipient notifications in batches', () => {
  let database: Database;
  let deps: BatchPlanDeps;
  const services: string[] = [];

  before(async () => {
    database = await connect({ dataDir: 'memory://' });
    await migrateToLatest(database.db);
    const db = database.db;
    const recipients = kyselyRecipientStore(db);
    for (const name of ['Acme', 'Globex']) {
      const id = uuidv7();
      services.push(id);
      await kyselyServiceStore(db).create(
        { id, name, types: [{ key: 'receipt', description: '' }] },
        { id: uuidv7(), publicId: uuidv7().replace(/-/g, '').slice(0, 16), secretHash: 'x', label: null },
      );
      await kyselyNotificationTypeStore(db).put(id, {
        key: 'promo',
        description: 'Offers',
        category: 'marketing',
        kind: 'commercial',
        defaultChannels: [],
        ttlSeconds: null,
        collapseKey: null,
      });
      // The same recipient id in both services, with different addresses.
      await recipients.upsert(id, 'ann', { email: `ann@${name.toLowerCase()}.example`, locale: 'fr-CA' });
      await recipients.upsert(id, 'bob', {
        email: `bob@${name.toLowerCase()}.example`,
        phone: '+15550001111',
      });
      await recipients.upsert(id, 'cy', { phone: '+15550002222', timezone: 'Asia/Tokyo' });
    }
    const [acme] = services as [string];
    const prefs = kyselyPreferenceStore(db);
    await prefs.update(acme, 'bob', (p) => ({ ...p, channels: { sms: false } }));
    await prefs.update(acme, 'cy', (p) => ({ ...p, quietHours: { start: '00:00', end: '23:59' } }));
    for (const token of ['tok-cy-1', 'tok-cy-2'])
      await kyselyDeviceStore(db).register(acme, 'cy', { platform: 'android', token, keys: null });
    const templates = kyselyTemplateStore(db);
    await templates.save(acme, {
      typeKey: 'receipt',
      channel: 'email',
      locale: 'fr',
      content: { subject: 'Reçu {{ order }}', text: 'Merci {{ recipient.id }}' },
    });
    await templates.save(acme, {
      typeKey: 'receipt',
      channel: 'email',
      locale: 'default',
      content: { subject: 'Receipt {{ order }}', text: 'Thanks {{ recipient.id }}' },
    });
    await sql`insert into suppressions (service_id, channel, address, reason)
              values (${acme}, 'email', 'bob@acme.example', 'hard_bounce')`.execute(db);
    deps = {
      store: kyselyFanoutStore(db),
      types: kyselyNotificationTypeStore(db),
      templates: kyselyTemplateStore(db),
      preferences: kyselyPreferenceStore(db),
      suppressions: kyselySuppressionList(db),
      renderer,
      links: (s, id) => links.forRecipient(s, id),
      now: () => NOW,
    };
  });

  after(async () => database?.close());

  const notification = (
    serviceId: string,
    recipientId: string,
    type: string,
    channels: Channel[],
    content: NotificationToPlan['content'] = {},
  ): NotificationToPlan => ({
    id: uuidv7(),
    serviceId,
    type,
    recipientId,
    channels,
    data: { order: 'A-1' },
    content,
    priority: 'normal',
    idempotencyKey: null,
    requestHash: 'h',
    createdAt: NOW,
  });

  /** What matters of a plan, without the ids each run makes afresh. */
  const shape = (ds: PlannedDelivery[]) =>
    ds.map(({ id: _id, ...rest }) => rest).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  /** What loading one notification's context reads, on the same stores as the batch. */
  const contextDeps = () => ({
    types: deps.types,
    templates: deps.templates,
    devices: kyselyDeviceStore(database.db),
    preferences: kyselyPreferenceStore(database.db),
    links: deps.links,
    now: () => NOW,
  });

  async function oneAtATime(n: NotificationToPlan): Promise<PlannedDelivery[]> {
    const recipient = await kyselyRecipientStore(database.db).get(n.serviceId, n.recipientId);
    const ctx = recipient ? await loadPlanContext(contextDeps(), n, recipient) : undefined;
    const addresses = recipient
      ? n.channels.flatMap((channel) => {
          const address = addressFor(channel, { ...recipient, devices: ctx?.devices ?? [] });
          return address === null ? [] : [{ channel, address }];
        })
      : [];
    const suppressed = await kyselySuppressionList(database.db).suppressed(n.serviceId, addresses);
    return planDeliveries(n, recipient, renderer, uuidv7, ctx, suppressed);
  }

  it('plans exactly what planning one at a time plans', async () => {
    const [acme, globex] = services as [string, string];
    const ns = [
      notification(acme, 'ann', 'receipt', ['email']), // stored template, French locale
      notification(globex, 'ann', 'receipt', ['email'], { email: { subject: 'Hi', text: 'Hi {{ order }}' } }),
      notification(acme, 'bob', 'promo', ['email', 'sms'], {
        email: { subject: 'Sale', text: 'Sale' },
        sms: { text: 'Sale' },
      }), // email suppressed (bounce), sms opted out
      notification(acme, 'cy', 'promo', ['push', 'sms'], {
        push: { title: 'T', body: 'B' },
        sms: { text: 'S' },
      }), // quiet hours: deferred, two devices
      notification(acme, 'ghost', 'receipt', ['email']), // unknown recipient
      notification(globex, 'cy', 'receipt', ['email']), // no email address, no template
      notification(acme, 'ann', 'promo', ['email'], { email: { subject: '{{ broken', text: 'x' } }),
    ];
    const planned = await planBatch(deps, ns);
    const byId = new Map(planned.map((p) => [p.n.id, p.deliveries]));
    assert.equal(byId.size, ns.length);
    const batch = ns.map((n) => ({ n, deliveries: byId.get(n.id) ?? [] }));
    for (const [i, n] of ns.entries()) {
      const expected = await oneAtATime(n);
      assert.ok(expected.length > 0);
      assert.deepEqual(shape(batch[i]?.deliveries ?? []), shape(expected), `notification ${i}`);
    }
    // The cases above are what they say they are.
    const statuses = batch.map((p) => p.deliveries.map((d) => `${d.channel}:${d.status}:${d.reason ?? ''}`));
    assert.deepEqual(statuses, [
      ['email:queued:'],
      ['email:queued:'],
      ['email:suppressed:address_suppressed', 'sms:suppressed:channel_opt_out'],
      ['push:deferred:quiet_hours', 'push:deferred:quiet_hours', 'sms:deferred:quiet_hours'],
      ['email:failed:unknown_recipient'],
      ['email:failed:recipient_missing_address'],
      ['email:failed:template_render_error'],
    ]);
    assert.equal(batch[0]?.deliveries[0]?.content.subject, 'Reçu A-1');
    assert.equal(batch[1]?.deliveries[0]?.address, 'ann@globex.example');
  });

  it('caps a burst to one recipient as if the notifications were planned one after another', async () => {
    const [, globex] = services as [string, string];
    await kyselyPreferenceStore(database.db).update(globex, 'bob', (p) => ({ ...p, frequencyLimit: 2 }));
    const burst = [1, 2, 3, 4].map(() =>
      notification(globex, 'bob', 'promo', ['email'], { email: { subject: 'S', text: 'T' } }),
    );
    const planned = await planBatch(deps, burst);
    assert.deepEqual(
      planned.map((p) => `${p.deliveries[0]?.status}:${p.deliveries[0]?.reason ?? ''}`),
      ['queued:', 'queued:', 'suppressed:frequency_cap', 'suppressed:frequency_cap'],
    );
  });

  it('a planner whose batch fails plans each notification on its own', async () => {
    const [acme] = services as [string];
    const store = kyselyNotificationStore(database.db);
    const ids: string[] = [];
    for (const r of ['ann', 'ann', 'bob']) {
      const n = notification(acme, r, 'receipt', ['email'], { email: { subject: 'S', text: 'T' } });
      await store.accept(n);
      ids.push(n.id);
    }
    const errors: string[] = [];
    const planner = createPlanner({
      owner: 'p1',
      queue: kyselyPlanQueue(database.db),
      recipients: kyselyRecipientStore(database.db),
      renderer,
      leaseMs: 60_000,
      pollMs: 50,
      concurrency: 2,
      onError: (_err, where) => errors.push(where),
      batch: async () => {
        throw new Error('batch store down');
      },
    });
    planner.start();
    try {
      await eventually(
        async () => {
          const { rows } = await sql<{ n: number }>`
            select count(*)::int as n from notifications where id = any(${`{${ids.join(',')}}`}::uuid[])
               and plan_status = 'planned'`.execute(database.db);
          return rows[0]?.n === 3;
        },
        { what: 'all three planned one by one' },
      );
    } finally {
      await planner.stop();
    }
    assert.ok(errors.includes('planner: batch'), errors.join(', '));
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from deliveries where notification_id = any(${`{${ids.join(',')}}`}::uuid[])`.execute(
      database.db,
    );
    assert.equal(rows[0]?.n, 3);
  });

  it('a read that fails while planning leaves the notification to be planned again, not failed', async () => {
    const [acme] = services as [string];
    const n = notification(acme, 'ann', 'receipt', ['email'], { email: { subject: 'S', text: 'T' } });
    await kyselyNotificationStore(database.db).accept(n);
    const errors: string[] = [];
    let reads = 0;
    const planner = createPlanner({
      owner: 'p2',
      queue: kyselyPlanQueue(database.db),
      recipients: kyselyRecipientStore(database.db),
      renderer,
      // Short, so the notification left leased by the failed read is claimed again soon.
      leaseMs: 300,
      pollMs: 50,
      concurrency: 1,
      onError: (err) => errors.push((err as Error).message),
      context: async (one, recipient) => {
        reads += 1;
        if (reads === 1) throw new Error('Connection terminated unexpectedly');
        return loadPlanContext(contextDeps(), one, recipient);
      },
    });
    planner.start();
    try {
      await eventually(
        async () => {
          const { rows } = await sql<{ plan_status: string }>`
            select plan_status from notifications where id = ${n.id}`.execute(database.db);
          assert.notEqual(rows[0]?.plan_status, 'failed');
          return rows[0]?.plan_status === 'planned';
        },
        { what: 'planned on the second try' },
      );
    } finally {
      await planner.stop();
    }
    assert.ok(reads >= 2, `context read ${reads} times`);
    assert.ok(errors.includes('Connection terminated unexpectedly'), errors.join(', '));
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from deliveries where notification_id = ${n.id}`.execute(database.db);
    assert.equal(rows[0]?.n, 1);
  });
});
