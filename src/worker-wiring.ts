/**
 * The worker role: the senders of every configured provider, the status-webhook poster, the stores
 * the worker runtime (app/worker.ts) reads and writes, and the broker sources that feed it. main.ts
 * chooses the adapters and hands over what the worker shares with the API in one process; everything
 * started here registers its stop with main's disposers.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Config } from './config.ts';
import type { PreferenceStore } from './ports/preferences-store.ts';
import type { TemplateRenderer } from './domain/templates.ts';
import type { Clock } from './ports/clock.ts';
import type { ProviderCredentialStore } from './ports/provider-credentials.ts';
import type { Disposers } from './app/disposers.ts';
import type { InboxDeps } from './app/inbox.ts';
import type { Links } from './app/links.ts';
import type { TrackingLinks } from './app/tracking-links.ts';
import { startWorker, type WorkerStores } from './app/worker.ts';
import { createProviderHealth } from './app/provider-health.ts';
import { startEventSources } from './app/event-sources.ts';
import { expandOnArrival } from './app/events.ts';
import { startStatusPublishers } from './app/status-publishers.ts';
import { createStatusSink } from './adapters/publishers/index.ts';
import { kyselyStatusLogCursors } from './adapters/store/kysely-status-publishers.ts';
import type { Database } from './adapters/store/connect.ts';
import type { PromMetrics } from './adapters/metrics/prom-metrics.ts';
import { kyselyPlanQueue } from './adapters/store/kysely-plan-queue.ts';
import { kyselyDeliveryQueue } from './adapters/store/kysely-delivery-queue.ts';
import { kyselyFanoutStore } from './adapters/store/kysely-fanout-store.ts';
import { kyselySuppressionList } from './adapters/store/kysely-receipts.ts';
import { kyselyEventStore } from './adapters/store/kysely-events.ts';
import { kyselyWebhookOutbox } from './adapters/store/kysely-webhook-outbox.ts';
import type { EndpointSecrets } from './adapters/store/webhook-endpoint-secrets.ts';
import { kyselyDeferredQueue } from './adapters/store/kysely-deferred.ts';
import { kyselyRetention } from './adapters/store/kysely-retention.ts';
import { kyselyOwnerStore } from './adapters/store/kysely-owners.ts';
import { kyselyRecipientStore } from './adapters/store/kysely-recipients.ts';
import { kyselyDeviceStore } from './adapters/store/kysely-devices.ts';
import { kyselyPreferenceStore } from './adapters/store/kysely-preferences.ts';
import { kyselyAudienceStore } from './adapters/store/kysely-audiences.ts';
import { kyselyAnalytics } from './adapters/store/kysely-analytics.ts';
import { kyselyProviderStatus } from './adapters/store/kysely-provider-status.ts';
import { kyselyWorkflowStore } from './adapters/store/kysely-workflows.ts';
import { kyselyDeadEvents } from './adapters/store/kysely-dead-events.ts';
import { kyselyServiceStore } from './adapters/store/kysely-services.ts';
import { providerRateLimiter } from './adapters/ratelimit/flexible-limiters.ts';
import { createStatusWebhookPoster } from './adapters/webhooks/status-webhook-poster.ts';
import { createEventSource } from './adapters/sources/index.ts';
import { undici } from './adapters/net/lazy-undici.ts';
import { buildSenders, type ProviderEngineSettings } from './providers-wiring.ts';

/** What the worker shares with the rest of the process, built once in main.ts. */
export interface WorkerParts {
  config: Config;
  logger: Logger;
  database: Database;
  disposers: Disposers;
  redis: Redis | undefined;
  clock: Clock;
  renderer: TemplateRenderer;
  metrics: PromMetrics;
  inbox: InboxDeps;
  /** Types and templates through the process's metadata cache, and the recipients' signed links. */
  preferences: Pick<WorkerStores, 'types' | 'templates'> & { links: Links };
  /** Trigger rules through the metadata cache (the sources expand with them as events arrive). */
  rules: WorkerStores['rules'];
  /** Keeps a service's preference defaults in the metadata cache (the planner reads them per batch). */
  cachePreferences(store: PreferenceStore): PreferenceStore;
  providers: ProviderEngineSettings[];
  credentials: ProviderCredentialStore | undefined;
  webhookSecrets: EndpointSecrets;
  trackingLinks: TrackingLinks;
}

export async function startWorkerRole(p: WorkerParts): Promise<void> {
  const { config, logger, database, disposers } = p;
  // The worker's own door onto the database: in embedded mode it takes turns with the API's
  // (adapters/store/pglite-priority.ts); in server mode it is the same pool.
  const db = database.background;
  const senders = buildSenders(config, database, logger, p.inbox, p.credentials);
  // HTTP senders load undici on first use; a worker with providers sends, so load it now: a first send
  // that waits for the import would reach its provider late, bunched with the next rate-limit slice's
  // sends. With none configured (a fresh embedded Herald captures every channel) nothing here sends
  // over HTTP until a status webhook is registered, and undici (about 6 MB of heap) stays unloaded.
  if (p.providers.length > 0) await undici();
  disposers.defer(async () => {
    for (const chain of senders.values()) for (const s of chain) await s.close?.();
  });
  const poster = createStatusWebhookPoster({
    timeoutMs: config.statusWebhooks.timeoutMs,
    allowPrivate: config.allowPrivateWebhookUrls,
  });
  disposers.defer(() => poster.close());
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const owners = kyselyOwnerStore(db);
  const databaseUrl = config.databaseUrl;
  const links = p.preferences.links;
  await startWorker({
    owner,
    config,
    stores: {
      planQueue: kyselyPlanQueue(db),
      deliveryQueue: kyselyDeliveryQueue(db),
      recipients: kyselyRecipientStore(db),
      fanout: kyselyFanoutStore(db),
      suppressions: kyselySuppressionList(db),
      ...p.preferences,
      devices: kyselyDeviceStore(db),
      // On the worker's own door onto the database; only the service defaults are cached.
      preferences: p.cachePreferences(kyselyPreferenceStore(db)),
      events: kyselyEventStore(db),
      rules: p.rules,
      webhookOutbox: kyselyWebhookOutbox(db, p.webhookSecrets),
      deferred: kyselyDeferredQueue(db),
      retention: kyselyRetention(db),
      audiences: kyselyAudienceStore(db),
      analytics: kyselyAnalytics(db),
      owners,
      providerStatus: kyselyProviderStatus(db),
      workflows: kyselyWorkflowStore(db),
    },
    clock: p.clock,
    renderer: p.renderer,
    links: (s, id) => links.forRecipient(s, id),
    tracking: p.trackingLinks,
    senders,
    health: createProviderHealth({ providers: p.providers, defaults: config.breaker }),
    limiter: providerRateLimiter(
      p.redis,
      new Map(p.providers.flatMap((x) => (x.rateLimit ? [[x.name, x.rateLimit] as const] : []))),
    ),
    poster,
    metrics: p.metrics,
    log: logger,
    listen: (onMessage) => database.listen(onMessage),
    // Embedded: this process just took the data-folder lock, so whoever held leases is dead.
    async claimOwnership() {
      if (database.kind === 'pglite') await owners.expireLeases(null);
      else if (databaseUrl) {
        // Loaded here: it brings `pg`, which embedded mode never needs.
        const { holdOwnerLock } = await import('./adapters/store/pg-owner-lock.ts');
        const lock = await holdOwnerLock(databaseUrl, owner, {
          onError: (err) => logger.warn({ err }, 'owner lock connection lost; taking it again'),
        });
        return () => lock.release();
      }
      return undefined;
    },
    embedded: database.kind === 'pglite',
    disposers,
  });
  // Broker sources start after the loops they feed, so they stop (and stop pulling) first.
  const sources = await startEventSources({
    sources: config.sources,
    makeSource: createEventSource,
    events: kyselyEventStore(db),
    dead: kyselyDeadEvents(db),
    metrics: p.metrics,
    log: logger,
    expand: expandOnArrival({ rules: p.rules, types: p.preferences.types, renderer: p.renderer }),
    serviceExists: async (id) => (await kyselyServiceStore(db).get(id)) !== null,
  });
  disposers.defer(() => sources.stop());
  const publishers = await startStatusPublishers({
    publishers: config.publishers,
    owner,
    makeSink: createStatusSink,
    cursors: kyselyStatusLogCursors(db),
    metrics: p.metrics,
    log: logger,
  });
  disposers.defer(() => publishers.stop());
}
