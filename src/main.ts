/**
 * The one place that picks adapters from configuration and wires Herald's parts together.
 * Roles: `api` serves HTTP; `worker` plans and dispatches; `herald start` runs both in one process.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';
import { createTemplateRenderer } from './domain/templates.ts';
import {
  connect,
  MEMORY,
  migrateToLatest,
  schemaIsCurrent,
  type Database,
} from './adapters/store/connect.ts';
import { kyselyApiKeyStore, kyselyServiceStore } from './adapters/store/kysely-services.ts';
import { kyselyRecipientStore } from './adapters/store/kysely-recipients.ts';
import { kyselyNotificationStore } from './adapters/store/kysely-notifications.ts';
import { kyselyPlanQueue } from './adapters/store/kysely-plan-queue.ts';
import { kyselyDeliveryQueue } from './adapters/store/kysely-delivery-queue.ts';
import { kyselyOutbox } from './adapters/store/kysely-outbox.ts';
import { kyselySuppressionList } from './adapters/store/kysely-receipts.ts';
import { kyselyProviderCredentials } from './adapters/store/kysely-provider-credentials.ts';
import { createSecretBox, parseSecretKey } from './adapters/crypto/aes-gcm-secrets.ts';
import { kyselyInboxStore } from './adapters/store/kysely-inbox.ts';
import { kyselyInboxSecrets, kyselyTickets } from './adapters/store/kysely-inbox-auth.ts';
import { pgNotifyBus } from './adapters/realtime/pg-notify-bus.ts';
import { redisBus } from './adapters/realtime/redis-bus.ts';
import type { InboxDeps } from './app/inbox.ts';
import { InboxHub } from './app/inbox-hub.ts';
import { buildSenders, configuredProviders, receiptRoutes } from './providers-wiring.ts';
import { createDisposers } from './app/disposers.ts';
import { startWorker } from './app/worker.ts';
import { buildServer } from './http/server.ts';
import { createPromMetrics } from './adapters/metrics/prom-metrics.ts';
import { kyselyQueueStats } from './adapters/store/kysely-queue-stats.ts';
import { startMetricsServer } from './adapters/metrics/metrics-server.ts';
import { openUrlFields } from './config-service-credentials.ts';
import { kyselyEventStore } from './adapters/store/kysely-events.ts';
import { startEventSources } from './app/event-sources.ts';
import { createEventSource } from './adapters/sources/index.ts';
import { startStatusPublishers } from './app/status-publishers.ts';
import { createStatusSink } from './adapters/publishers/index.ts';
import { kyselyStatusLogCursors } from './adapters/store/kysely-status-publishers.ts';
import { kyselyDeadEvents } from './adapters/store/kysely-dead-events.ts';
import { kyselyTriggerRules } from './adapters/store/kysely-trigger-rules.ts';
import { sql } from 'kysely';
import { kyselyNotificationTypeStore } from './adapters/store/kysely-notification-types.ts';
import { kyselyTemplateStore } from './adapters/store/kysely-templates.ts';
import { kyselyDeviceStore } from './adapters/store/kysely-devices.ts';
import { kyselyPreferenceStore } from './adapters/store/kysely-preferences.ts';
import { kyselyErasureStore } from './adapters/store/kysely-erasure.ts';
import { kyselyDeferredQueue, kyselySecretStore } from './adapters/store/kysely-deferred.ts';
import { createLinks, databaseSecret, dataDirSecret, makeSecret } from './app/links.ts';
import type { Redis } from 'ioredis';
import { providerRateLimiter, requestRateLimiter } from './adapters/ratelimit/flexible-limiters.ts';
import { kyselyProviderStatus } from './adapters/store/kysely-provider-status.ts';
import { kyselyDeadLetters } from './adapters/store/kysely-dead-letters.ts';
import { createProviderHealth } from './app/provider-health.ts';
import { kyselyFanoutStore } from './adapters/store/kysely-fanout-store.ts';
import { kyselyTopicStore } from './adapters/store/kysely-topics.ts';
import { kyselyAudienceStore } from './adapters/store/kysely-audiences.ts';
import { kyselyNotificationCanceller } from './adapters/store/kysely-notification-cancel.ts';
import { kyselyAnalytics } from './adapters/store/kysely-analytics.ts';
import { kyselyWebhookEndpoints } from './adapters/store/kysely-webhook-endpoints.ts';
import { kyselyWebhookOutbox } from './adapters/store/kysely-webhook-outbox.ts';
import { endpointSecrets, sealPlaintextEndpointSecrets } from './adapters/store/webhook-endpoint-secrets.ts';
import { kyselyOperator } from './adapters/store/kysely-operator.ts';
import { checkWebhookUrl } from './adapters/net/ssrf-guard.ts';
import { createStatusWebhookPoster } from './adapters/webhooks/status-webhook-poster.ts';
import { createTrackingLinks } from './app/tracking-links.ts';
import { kyselyTrackingStore } from './adapters/store/kysely-tracking.ts';
import { kyselyLinkHosts } from './adapters/store/kysely-link-hosts.ts';
import { startWarnings } from './config-warnings.ts';
import { kyselyRetention } from './adapters/store/kysely-retention.ts';
import { createMetadataCache } from './app/metadata-cache.ts';
import { createBatcher } from './app/batcher.ts';
import { recipientsByIds, recipientsByKeys } from './adapters/store/kysely-recipients-by-ids.ts';
import { announceMetadataChange, METADATA_CHANGED } from './adapters/store/metadata-changed.ts';
import type { NewNotification } from './domain/types.ts';
import { kyselyOwnerStore } from './adapters/store/kysely-owners.ts';
import { kyselyWorkflowStore } from './adapters/store/kysely-workflows.ts';
import { systemClock, type Clock } from './ports/clock.ts';

export interface Roles {
  api: boolean;
  worker: boolean;
}

export interface Herald {
  /** The API's address, when the API role runs. */
  url: string | undefined;
  adminToken: string | undefined;
  /** The database, for operator tools and tests. */
  db: Database['db'];
  stop(): Promise<void>;
}

/** In embedded mode an admin token is made once and kept in the data folder, readable only by its owner. */
function embeddedAdminToken(dataDir: string): { token: string; created: boolean } {
  const file = join(dataDir, 'admin-token');
  try {
    return { token: readFileSync(file, 'utf8').trim(), created: false };
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const token = `hadm_${randomBytes(24).toString('base64url')}`;
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return { token, created: true };
  }
}

/** Redis only when configured; commands fail fast while it is down so limits fall back locally. */
async function connectRedis(url: string | undefined, logger: Logger): Promise<Redis | undefined> {
  if (!url) return undefined;
  const { Redis: RedisClient } = await import('ioredis');
  const redis = new RedisClient(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis error'));
  return redis;
}

export async function startHerald(
  config: Config,
  roles: Roles,
  log?: Logger,
  /** Workflow windows and delays read this clock (tests move a fake one). */
  opts: { clock?: Clock } = {},
): Promise<Herald> {
  const clock = opts.clock ?? systemClock;
  const logger =
    log ??
    pino({
      level: config.logLevel,
      base: { pid: process.pid, roles: Object.keys(roles).filter((r) => roles[r as keyof Roles]) },
    });
  const database = await connect({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onListenerError: (err) => logger.warn({ err }, 'database connection error'),
  });
  const { db } = database;
  // Everything started below registers its stop here; stopping (or a failed start) runs them in reverse.
  const disposers = createDisposers();
  disposers.defer(() => database.close());
  try {
    const applied = await migrateToLatest(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');

    let adminToken = config.adminToken;
    if (!adminToken && database.kind === 'pglite' && config.dataDir !== MEMORY) {
      const made = embeddedAdminToken(config.dataDir);
      adminToken = made.token;
      if (made.created) logger.info({ file: join(config.dataDir, 'admin-token') }, 'admin token created');
    }

    const renderer = createTemplateRenderer({
      cacheBytes: config.templates.cacheBytes,
      requestTemplateBytes: config.templates.requestBytes,
      notificationRenderMs: config.templates.notificationRenderMs,
      serviceRenderMsPerSecond: config.templates.serviceRenderMsPerSecond,
    });
    const metrics = createPromMetrics({ snapshot: kyselyQueueStats(db) });
    const secretBox = config.secretKey ? createSecretBox(parseSecretKey(config.secretKey)) : undefined;
    const credentialStore = secretBox ? kyselyProviderCredentials(db, secretBox) : undefined;
    const webhookSecrets = endpointSecrets(secretBox);
    if (secretBox) {
      // Endpoints made before the key was set: their secrets are sealed now.
      const sealed = await sealPlaintextEndpointSecrets(db, secretBox);
      if (sealed) logger.info({ sealed }, 'status webhook secrets sealed');
    }
    const recipients = kyselyRecipientStore(db);
    const audiences = kyselyAudienceStore(db);
    // Links in messages must verify on every process of a deployment: one key, kept where all can read it.
    // In memory, nothing outlives the process, so neither does the key.
    const secret =
      config.secretKey ??
      (database.kind !== 'pglite'
        ? await databaseSecret(kyselySecretStore(db))
        : config.dataDir === MEMORY
          ? makeSecret()
          : dataDirSecret(config.dataDir));
    let publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
    const lifetime = { ttlSeconds: config.links.ttlDays * 86_400 };
    const links = createLinks(secret, () => publicUrl, lifetime);
    const trackingLinks = createTrackingLinks(secret, () => publicUrl, lifetime);
    if (!config.publicUrl && !roles.api) {
      logger.warn(
        { publicUrl },
        'HERALD_PUBLIC_URL is not set: unsubscribe and preference links in messages will point at this guess',
      );
    }
    // API keys, types and templates, cached in this process; a change anywhere clears every process's copy.
    const cache = createMetadataCache({ announce: () => announceMetadataChange(db) });
    disposers.defer(
      await database.listen((payload) => {
        if (payload === METADATA_CHANGED) cache.invalidate();
      }),
    );
    const prefs = {
      types: cache.types(kyselyNotificationTypeStore(db)),
      templates: cache.templates(kyselyTemplateStore(db)),
      devices: kyselyDeviceStore(db),
      preferences: kyselyPreferenceStore(db),
      erasure: kyselyErasureStore(db),
      links,
    };
    const workflows = { store: kyselyWorkflowStore(db), clock };
    const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    const providers = configuredProviders(config);
    const redis = await connectRedis(config.redisUrl, logger);
    if (redis) disposers.defer(() => redis.quit().catch(() => redis.disconnect()));
    const providerStatus = kyselyProviderStatus(db);
    let hub: InboxHub | undefined;
    const onInboxError = (err: unknown, where: string) => logger.warn({ err, where }, 'inbox error');
    const bus = config.redisUrl
      ? redisBus(
          config.redisUrl,
          (err) => onInboxError(err, 'redis'),
          () => hub?.wakeAll(),
        )
      : pgNotifyBus(database, {
          databaseUrl: config.databaseUrl,
          onReconnect: () => hub?.wakeAll(),
          onError: (err) => onInboxError(err, 'inbox listener'),
        });
    disposers.defer(() => bus.close());
    const inbox: InboxDeps = { store: kyselyInboxStore(db), bus, onError: onInboxError };
    const analytics = kyselyAnalytics(db);

    // A port of its own, for any process: a worker with no API still needs somewhere to be scraped.
    if (config.metricsPort !== undefined) {
      const metricsServer = await startMetricsServer(metrics, config.host, config.metricsPort);
      disposers.defer(() => metricsServer.close());
      logger.info({ port: config.metricsPort }, 'metrics listening');
    }

    if (roles.worker) {
      // The worker's own door onto the database (in embedded mode it takes turns with the API's).
      const wdb = database.background;
      const senders = buildSenders(config, database, logger, inbox, credentialStore);
      disposers.defer(async () => {
        for (const chain of senders.values()) for (const s of chain) await s.close?.();
      });
      const poster = createStatusWebhookPoster({
        timeoutMs: config.statusWebhooks.timeoutMs,
        allowPrivate: config.allowPrivateWebhookUrls,
      });
      disposers.defer(() => poster.close());
      const owners = kyselyOwnerStore(wdb);
      const databaseUrl = config.databaseUrl;
      await startWorker({
        owner,
        config,
        stores: {
          planQueue: kyselyPlanQueue(wdb),
          deliveryQueue: kyselyDeliveryQueue(wdb),
          recipients: kyselyRecipientStore(wdb),
          fanout: kyselyFanoutStore(wdb),
          suppressions: kyselySuppressionList(wdb),
          ...prefs,
          devices: kyselyDeviceStore(wdb),
          preferences: kyselyPreferenceStore(wdb),
          events: kyselyEventStore(wdb),
          rules: kyselyTriggerRules(wdb),
          webhookOutbox: kyselyWebhookOutbox(wdb, webhookSecrets),
          deferred: kyselyDeferredQueue(wdb),
          retention: kyselyRetention(wdb),
          audiences: kyselyAudienceStore(wdb),
          analytics: kyselyAnalytics(wdb),
          owners,
          providerStatus: kyselyProviderStatus(wdb),
          workflows: kyselyWorkflowStore(wdb),
        },
        clock,
        renderer,
        links: (s, id) => links.forRecipient(s, id),
        tracking: trackingLinks,
        senders,
        health: createProviderHealth({ providers, defaults: config.breaker }),
        limiter: providerRateLimiter(
          redis,
          new Map(providers.flatMap((p) => (p.rateLimit ? [[p.name, p.rateLimit] as const] : []))),
        ),
        poster,
        metrics,
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
        events: kyselyEventStore(wdb),
        dead: kyselyDeadEvents(wdb),
        metrics,
        log: logger,
        serviceExists: async (id) => (await kyselyServiceStore(wdb).get(id)) !== null,
      });
      disposers.defer(() => sources.stop());
      const publishers = await startStatusPublishers({
        publishers: config.publishers,
        owner,
        makeSink: createStatusSink,
        cursors: kyselyStatusLogCursors(db),
        metrics,
        log: logger,
      });
      disposers.defer(() => publishers.stop());
    }

    let url: string | undefined;
    if (roles.api) {
      const wakeHub = new InboxHub({
        store: inbox.store,
        heartbeatMs: config.inbox.heartbeatMs,
        onError: onInboxError,
      });
      hub = wakeHub;
      wakeHub.start();
      disposers.defer(() => wakeHub.close());
      disposers.defer(await bus.subscribe((r) => wakeHub.wake(r)));
      const notifications = kyselyNotificationStore(db);
      // Concurrent accepts share one transaction; PGlite runs one statement at a time anyway.
      const accepts = createBatcher({
        run: (ns: readonly NewNotification[]) => notifications.acceptMany(ns),
        concurrency: database.kind === 'pglite' ? 1 : 2,
      });
      // The recipients that one tick's accepts name, read in one query.
      const recipientReads = createBatcher({
        run: (keys: readonly { serviceId: string; id: string }[]) => recipientsByKeys(db, keys),
        concurrency: database.kind === 'pglite' ? 1 : 4,
        isRowError: () => false,
      });
      const app = await buildServer({
        services: kyselyServiceStore(db),
        keys: cache.keys(kyselyApiKeyStore(db)),
        recipients,
        notifications,
        commit: (n) => accepts.submit(n),
        lookupRecipient: (serviceId, id) => recipientReads.submit({ serviceId, id }),
        recipientsByIds: (serviceId, ids) => recipientsByIds(db, serviceId, ids),
        outbox: kyselyOutbox(db),
        renderer,
        preferences: prefs,
        events: { rules: kyselyTriggerRules(db), events: kyselyEventStore(db) },
        adminToken,
        metricsToken: config.metricsPort !== undefined ? null : config.metricsToken,
        bodyLimit: config.bodyLimitBytes,
        timeouts: config.http,
        trustProxy: config.trustProxy,
        publicLimiter: requestRateLimiter(redis, config.publicRateLimit.perSecond, { scope: 'ip' }),
        metrics,
        logger: logger.child({ component: 'api' }),
        receipts: receiptRoutes(config, database, credentialStore),
        providerCredentials: credentialStore,
        checkUrl: (u) => checkWebhookUrl(u, config.allowPrivateWebhookUrls),
        openUrlFields: (name, type) => openUrlFields(Object.values(config.providers).flat(), name, type),
        engine: {
          deadLetters: kyselyDeadLetters(db),
          providerStatus,
          providers: providers.map((p) => ({ name: p.name, channel: p.channel })),
          requestLimiter: requestRateLimiter(redis, config.apiRateLimit.perSecond, { scope: 'service' }),
        },
        inbox: {
          ...inbox,
          hub,
          heartbeatMs: config.inbox.heartbeatMs,
          secrets: kyselyInboxSecrets(db),
          tickets: kyselyTickets(db),
          ticketTtlMs: config.inbox.ticketTtlMs,
          recipientLimiter: requestRateLimiter(redis, config.recipientRateLimit.perSecond, {
            scope: 'recipient',
            burst: config.recipientRateLimit.burst,
          }),
          maxStreamsPerRecipient: config.inbox.maxStreamsPerRecipient,
          maxStreamsPerService: config.inbox.maxStreamsPerService,
          maxStreams: config.inbox.maxStreams,
          recipientExists: async (r) => (await recipients.get(r.serviceId, r.recipientId)) !== null,
        },
        workflows,
        broadcasts: {
          topics: kyselyTopicStore(db),
          audiences,
          canceller: kyselyNotificationCanceller(db),
        },
        operate: {
          analytics,
          webhookEndpoints: kyselyWebhookEndpoints(db, webhookSecrets),
          operator: kyselyOperator(db),
          embedded: database.kind === 'pglite',
          tracking: { links: trackingLinks, store: kyselyTrackingStore(db), linkHosts: kyselyLinkHosts(db) },
        },
        async ready() {
          const dbOk = await sql`select 1`.execute(db).then(
            () => true,
            () => false,
          );
          const schemaOk = dbOk && (await schemaIsCurrent(db));
          return { ok: dbOk && schemaOk, checks: { database: dbOk, migrations: schemaOk } };
        },
      });
      disposers.defer(() => app.close());
      url = await app.listen({ host: config.host, port: config.port });
      if (!config.publicUrl) publicUrl = url;
      for (const w of startWarnings(config, publicUrl)) logger.warn(w.fields, w.message);
      logger.info(
        {
          url,
          docs: `${url}/docs`,
          mode: database.kind === 'pglite' ? 'embedded' : 'postgres',
          inboxBus: bus.name,
        },
        'Herald API listening',
      );
    }

    return {
      url,
      adminToken,
      db,
      async stop() {
        if (!disposers.disposing) logger.info('stopping: no new claims, finishing in-flight work');
        const first = !disposers.disposing;
        await disposers.dispose();
        if (first) logger.info('stopped');
      },
    };
  } catch (err) {
    await disposers.dispose().catch(() => undefined);
    throw err;
  }
}

export async function migrateOnly(config: Config): Promise<string[]> {
  const database = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
}
