/**
 * The storage behind preferences, the same cases on PGlite and on real PostgreSQL (a fresh database
 * for this file): deferred
 * deliveries released when due, per-device delivery rows, template versions under concurrent saves,
 * the frequency-cap count, device re-registration, erasure, and the shared link-signing secret.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyServiceStore } from '../../src/adapters/store/kysely-services.ts';
import { kyselyRecipientStore } from '../../src/adapters/store/kysely-recipients.ts';
import { kyselyNotificationStore } from '../../src/adapters/store/kysely-notifications.ts';
import { kyselyPlanQueue } from '../../src/adapters/store/kysely-plan-queue.ts';
import { kyselyTemplateStore } from '../../src/adapters/store/kysely-templates.ts';
import { kyselyDeviceStore } from '../../src/adapters/store/kysely-devices.ts';
import { kyselyPreferenceStore } from '../../src/adapters/store/kysely-preferences.ts';
import { kyselyErasureStore } from '../../src/adapters/store/kysely-erasure.ts';
import { kyselyDeferredQueue, kyselySecretStore } from '../../src/adapters/store/kysely-deferred.ts';
import type { PlannedDelivery } from '../../src/domain/types.ts';
import { onEachDatabase } from '../helpers/databases.ts';

function preferenceStorage(
  name: string,
  open: () => Promise<{ database: Database; cleanup(): Promise<void> }>,
  skip: string | false,
) {
  describe(`preference storage contract: ${name}`, { skip, timeout: 60_000 }, () => {
    let database: Database;
    let cleanup: (() => Promise<void>) | undefined;
    let serviceId: string;

    before(async () => {
      const opened = await open();
      database = opened.database;
      cleanup = () => opened.cleanup();
      await migrateToLatest(database.db);
      serviceId = uuidv7();
      await kyselyServiceStore(database.db).create(
        { id: serviceId, name: 'Acme', types: [{ key: 'promo', description: 'Offers' }] },
        { id: uuidv7(), publicId: 'p'.repeat(16), secretHash: 'x', label: null },
      );
      await kyselyRecipientStore(database.db).upsert(serviceId, 'ann', { email: 'ann@example.com' });
    });

    after(async () => {
      await database?.close();
      await cleanup?.();
    });

    /** Accepts a notification for ann and plans it with the given deliveries, as the planner would. */
    async function planned(deliveries: Omit<PlannedDelivery, 'id' | 'recipientId'>[]) {
      const id = uuidv7();
      await kyselyNotificationStore(database.db).accept({
        id,
        serviceId,
        type: 'promo',
        recipientId: 'ann',
        channels: [...new Set(deliveries.map((d) => d.channel))],
        data: {},
        content: {},
        priority: 'normal',
        idempotencyKey: null,
        requestHash: 'h',
      });
      const queue = kyselyPlanQueue(database.db);
      const claimed = (await queue.claim('t', 100, 60_000)).find((n) => n.id === id);
      assert.ok(claimed);
      const rows = deliveries.map((d) => ({ ...d, id: uuidv7(), recipientId: 'ann' }));
      await queue.complete(claimed, 't', rows);
      // A second run of the same plan adds nothing: the key includes the device target.
      await queue.complete(
        claimed,
        't',
        rows.map((d) => ({ ...d, id: uuidv7() })),
      );
      return id;
    }

    it('keeps one row per device and releases deferred deliveries only when due', async () => {
      const past = new Date(Date.now() - 60_000);
      const future = new Date(Date.now() + 3600_000);
      const id = await planned([
        {
          channel: 'push',
          target: 'dev-1',
          address: 'tok-1',
          status: 'deferred',
          reason: 'quiet_hours',
          content: {},
          notBefore: past,
        },
        {
          channel: 'push',
          target: 'dev-2',
          address: 'tok-2',
          status: 'deferred',
          reason: 'quiet_hours',
          content: {},
          notBefore: past,
        },
        {
          channel: 'email',
          address: 'ann@example.com',
          status: 'deferred',
          reason: 'quiet_hours',
          content: {},
          notBefore: future,
        },
      ]);
      const channels = await kyselyDeferredQueue(database.db).releaseDue(100);
      assert.deepEqual(channels, ['push']);
      const rows = await database.db
        .selectFrom('deliveries')
        .select(['channel', 'target', 'status'])
        .where('notification_id', '=', id)
        .orderBy('channel')
        .orderBy('target')
        .execute();
      assert.deepEqual(
        rows.map((r) => `${r.channel}/${r.target}/${r.status}`),
        ['email//deferred', 'push/dev-1/queued', 'push/dev-2/queued'],
      );
    });

    it('counts recent notifications for the frequency cap, not suppressed ones nor the current one', async () => {
      const prefs = kyselyPreferenceStore(database.db);
      const since = new Date(Date.now() - 86_400_000);
      const before = await prefs.countRecent(serviceId, 'ann', since, uuidv7());
      await planned([
        { channel: 'email', address: 'a', status: 'suppressed', reason: 'preference_opt_out', content: {} },
      ]);
      const sent = await planned([
        { channel: 'email', address: 'a', status: 'queued', reason: null, content: {} },
        { channel: 'sms', address: '+1', status: 'queued', reason: null, content: {} },
      ]);
      assert.equal(await prefs.countRecent(serviceId, 'ann', since, uuidv7()), before + 1);
      assert.equal(await prefs.countRecent(serviceId, 'ann', since, sent), before);
    });

    it('numbers template versions without gaps or duplicates under concurrent saves', async () => {
      const templates = kyselyTemplateStore(database.db);
      const saves = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          templates.save(serviceId, {
            typeKey: 'promo',
            channel: 'email',
            locale: 'fr',
            content: { subject: `v${i}`, text: 't' },
          }),
        ),
      );
      assert.deepEqual(
        saves.map((s) => s.version).sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6],
      );
      const latest = await templates.latest(serviceId, 'promo');
      assert.equal(latest.find((t) => t.locale === 'fr')?.version, 6);
    });

    it('moves a re-registered token to its new owner and reactivates it', async () => {
      const devices = kyselyDeviceStore(database.db);
      await kyselyRecipientStore(database.db).upsert(serviceId, 'bob', {});
      const first = await devices.register(serviceId, 'ann', {
        platform: 'ios',
        token: 'shared-phone',
        keys: null,
      });
      await database.db.updateTable('devices').set({ active: false }).where('id', '=', first.id).execute();
      const again = await devices.register(serviceId, 'bob', {
        platform: 'ios',
        token: 'shared-phone',
        keys: null,
      });
      assert.equal(again.id, first.id);
      assert.equal(again.active, true);
      assert.equal(
        (await devices.list(serviceId, 'ann')).some((d) => d.token === 'shared-phone'),
        false,
      );
      assert.equal((await devices.list(serviceId, 'bob')).length, 1);
    });

    it('erases a recipient: rows stay for counting, nothing personal remains', async () => {
      await kyselyRecipientStore(database.db).upsert(serviceId, 'eve', { email: 'eve@example.com' });
      await kyselyDeviceStore(database.db).register(serviceId, 'eve', {
        platform: 'android',
        token: 'eve-phone',
        keys: null,
      });
      const id = uuidv7();
      await kyselyNotificationStore(database.db).accept({
        id,
        serviceId,
        type: 'promo',
        recipientId: 'eve',
        channels: ['email'],
        data: { secret: 'x' },
        content: {},
        priority: 'normal',
        idempotencyKey: null,
        requestHash: 'h',
      });
      const queue = kyselyPlanQueue(database.db);
      const claimed = (await queue.claim('t', 100, 60_000)).find((n) => n.id === id)!;
      await queue.complete(claimed, 't', [
        {
          id: uuidv7(),
          recipientId: 'eve',
          channel: 'email',
          address: 'eve@example.com',
          status: 'queued',
          reason: null,
          content: { text: 'Hi Eve' },
        },
      ]);
      const result = await kyselyErasureStore(database.db).erase(serviceId, 'eve');
      assert.deepEqual(result, { erased: true, deliveriesAnonymised: 1 });
      const dump = JSON.stringify(
        await Promise.all([
          database.db.selectFrom('deliveries').selectAll().where('notification_id', '=', id).execute(),
          database.db.selectFrom('notifications').selectAll().where('id', '=', id).execute(),
          database.db.selectFrom('devices').selectAll().where('token', '=', 'eve-phone').execute(),
          database.db.selectFrom('recipients').selectAll().where('id', '=', 'eve').execute(),
        ]),
      );
      assert.doesNotMatch(dump, /eve@example\.com|Hi Eve|eve-phone|"secret"/);
      const count = await database.db
        .selectFrom('deliveries')
        .select(['status', 'channel'])
        .where('notification_id', '=', id)
        .execute();
      assert.deepEqual(count, [{ status: 'queued', channel: 'email' }]);
    });

    it('makes the link-signing secret once, and every caller gets the same one', async () => {
      const secrets = kyselySecretStore(database.db);
      const got = await Promise.all(
        Array.from({ length: 4 }, (_, i) => secrets.getOrCreate('link-signing-key', () => `candidate-${i}`)),
      );
      assert.equal(new Set(got).size, 1);
      assert.equal(await secrets.getOrCreate('link-signing-key', () => 'later'), got[0]);
    });
  });
}

onEachDatabase(preferenceStorage, { poolSize: 4 });
