/**
 * The worker runtime on real PostgreSQL (a fresh database for this file): a NOTIFY on the wake
 * channel wakes the loop its topic names, the sweeper runs its jobs, and a stop runs in reverse of
 * start — timers, then the drain of every loop, then the owner lock, the listener and the provider
 * status rows, and only then what was there before the worker. The stores are the real ones, each
 * wrapped to record the calls the runtime makes, so the order is read from what reached the database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect, migrateToLatest, WAKE_CHANNEL, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyPlanQueue } from '../../src/adapters/store/kysely-plan-queue.ts';
import { kyselyDeliveryQueue } from '../../src/adapters/store/kysely-delivery-queue.ts';
import { kyselyRecipientStore } from '../../src/adapters/store/kysely-recipients.ts';
import { kyselyFanoutStore } from '../../src/adapters/store/kysely-fanout-store.ts';
import { kyselySuppressionList } from '../../src/adapters/store/kysely-receipts.ts';
import { kyselyNotificationTypeStore } from '../../src/adapters/store/kysely-notification-types.ts';
import { kyselyTemplateStore } from '../../src/adapters/store/kysely-templates.ts';
import { kyselyDeviceStore } from '../../src/adapters/store/kysely-devices.ts';
import { kyselyPreferenceStore } from '../../src/adapters/store/kysely-preferences.ts';
import { kyselyEventStore } from '../../src/adapters/store/kysely-events.ts';
import { kyselyTriggerRules } from '../../src/adapters/store/kysely-trigger-rules.ts';
import { kyselyWebhookOutbox } from '../../src/adapters/store/kysely-webhook-outbox.ts';
import { kyselyDeferredQueue } from '../../src/adapters/store/kysely-deferred.ts';
import { kyselyRetention } from '../../src/adapters/store/kysely-retention.ts';
import { kyselyAudienceStore } from '../../src/adapters/store/kysely-audiences.ts';
import { kyselyAnalytics } from '../../src/adapters/store/kysely-analytics.ts';
import { kyselyOwnerStore } from '../../src/adapters/store/kysely-owners.ts';
import { kyselyProviderStatus } from '../../src/adapters/store/kysely-provider-status.ts';
import { holdOwnerLock } from '../../src/adapters/store/pg-owner-lock.ts';
import { createStatusWebhookPoster } from '../../src/adapters/webhooks/status-webhook-poster.ts';
import { createDisposers } from '../../src/app/disposers.ts';
import { createProviderHealth } from '../../src/app/provider-health.ts';
import { startWorker, type WorkerStores } from '../../src/app/worker.ts';
import { loadConfig } from '../../src/config.ts';
import { CHANNELS, type Channel } from '../../src/domain/channels.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import { laneTopic, WAKE_PLAN } from '../../src/ports/wake.ts';
import { eventually } from '../helpers/api.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

/** The store, with every call it receives written to `calls` as `name.method`. */
function recording<T extends object>(name: string, store: T, calls: string[]): T {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(`${name}.${String(key)}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const errors: unknown[] = [];
const quietLog = {
  debug() {},
  info() {},
  warn() {},
  error: (fields: object) => void errors.push(fields),
};

describe('worker runtime on PostgreSQL', { skip: skipWithoutPg }, () => {
  let tdb: TestDatabase;
  let database: Database;

  before(async () => {
    tdb = await freshDatabase();
    database = await connect({ databaseUrl: tdb.url, dataDir: '/nonexistent', poolSize: 4 });
    await migrateToLatest(database.db);
  });

  after(async () => {
    await database?.close();
    await tdb?.drop();
  });

  it('routes wake-ups, sweeps, and stops in reverse of start', async () => {
    const config = loadConfig({ HERALD_CONFIG: 'worker.json', DATABASE_URL: tdb.url }, () => ({
      // Loops poll once a minute: a claim after the first one can only come from a wake-up.
      worker: { pollMs: 60_000, sweepMs: 100, ownerCheckMs: 100, drainMs: 5000 },
    }));
    const db = database.db;
    const calls: string[] = [];
    const stores: WorkerStores = {
      planQueue: recording('plan', kyselyPlanQueue(db), calls),
      deliveryQueue: recording('deliveries', kyselyDeliveryQueue(db), calls),
      recipients: kyselyRecipientStore(db),
      fanout: kyselyFanoutStore(db),
      suppressions: kyselySuppressionList(db),
      types: kyselyNotificationTypeStore(db),
      templates: kyselyTemplateStore(db),
      devices: kyselyDeviceStore(db),
      preferences: kyselyPreferenceStore(db),
      events: recording('events', kyselyEventStore(db), calls),
      rules: kyselyTriggerRules(db),
      webhookOutbox: recording('webhooks', kyselyWebhookOutbox(db), calls),
      deferred: recording('deferred', kyselyDeferredQueue(db), calls),
      retention: kyselyRetention(db),
      audiences: recording('audiences', kyselyAudienceStore(db), calls),
      analytics: kyselyAnalytics(db),
      owners: kyselyOwnerStore(db),
      providerStatus: recording('providerStatus', kyselyProviderStatus(db), calls),
    };
    const disposers = createDisposers();
    disposers.defer(() => calls.push('before the worker'));
    const owner = `worker-runtime-test:${process.pid}`;
    const poster = createStatusWebhookPoster({ timeoutMs: 1000, allowPrivate: false });
    await startWorker({
      owner,
      config,
      stores,
      renderer: createTemplateRenderer(),
      links: async () => ({ preferencesUrl: 'http://x/p', unsubscribeUrl: 'http://x/u' }),
      tracking: { open: () => 'http://x/o', click: (u: string) => u },
      senders: new Map<Channel, []>(CHANNELS.map((c) => [c, []])),
      health: createProviderHealth({ providers: [], defaults: config.breaker }),
      limiter: { take: async () => ({ ok: true as const }) },
      poster,
      metrics: { deliverySettled() {} },
      log: quietLog,
      listen: async (onMessage) => {
        const unlisten = await database.listen(onMessage);
        return async () => {
          calls.push('unlisten');
          await unlisten();
        };
      },
      claimOwnership: async () => {
        const lock = await holdOwnerLock(tdb.url, owner);
        calls.push('owner lock held');
        return async () => {
          calls.push('owner lock released');
          await lock.release();
        };
      },
      embedded: false,
      disposers,
    });
    const count = (call: string) => calls.filter((c) => c === call).length;

    // Each loop claimed once at start; then a NOTIFY per topic brings exactly its loop back.
    await eventually(async () => count('plan.claim') >= 1 && count('deliveries.claim') >= 1, {
      what: 'the first claims',
    });
    const planClaims = count('plan.claim');
    await sql`select pg_notify(${WAKE_CHANNEL}, ${WAKE_PLAN})`.execute(db);
    await eventually(async () => count('plan.claim') > planClaims, { what: 'the planner woken' });
    const laneClaims = count('deliveries.claim');
    await sql`select pg_notify(${WAKE_CHANNEL}, ${laneTopic('email')})`.execute(db);
    await eventually(async () => count('deliveries.claim') > laneClaims, { what: 'the email lane woken' });

    // The sweeper runs its jobs in order against the database, again and again.
    await eventually(async () => count('deliveries.reclaimExpired') >= 2, { what: 'two sweeps' });
    // Sweeps may overlap on a slow database (as they always could), so each job is counted, not ordered.
    for (const job of [
      'deferred.releaseDue',
      'webhooks.reclaimExpired',
      'webhooks.prune',
      'audiences.dropAbandoned',
      'deliveries.reclaimExpired',
    ])
      assert.ok(count(job) >= 2, `${job} runs on every sweep`);
    assert.deepEqual(errors, [], 'no job failed');
    assert.ok(calls.includes('providerStatus.publish'), 'provider status published');

    const stopAt = calls.length;
    await disposers.dispose();
    await poster.close();
    const stop = calls.slice(stopAt);
    const at = (call: string) => {
      const i = stop.indexOf(call);
      assert.ok(i >= 0, `${call} during the stop: ${stop.join(', ')}`);
      return i;
    };
    // The loops drain (no claim once the stop began) before the owner lets go of its lock; then the
    // listener and the provider status rows; what was there before the worker stops last.
    assert.deepEqual(
      stop.filter((c) => c.endsWith('.claim')),
      [],
    );
    assert.ok(at('owner lock released') < at('unlisten'));
    assert.ok(at('unlisten') < at('providerStatus.forget'));
    assert.equal(stop.at(-1), 'before the worker');
    // A sweep already running finishes; no new one starts.
    await new Promise((r) => setTimeout(r, 400));
    const settled = calls.length;
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(calls.length, settled, 'no timer fires after the stop');
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from provider_status where owner = ${owner}`.execute(db);
    assert.equal(rows[0]?.n, 0, 'the stopped worker took its provider status rows with it');
  });
});
