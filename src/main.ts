/**
 * The one place that picks adapters from configuration and wires Herald's parts together.
 * Roles: `api` serves HTTP; `worker` plans and dispatches; `herald start` runs both in one process.
 */
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';
import type { PreferenceStore } from './ports/preferences-store.ts';
import { createTemplateRenderer } from './domain/templates.ts';
import { connect, MEMORY, migrateToLatest, type Database } from './adapters/store/connect.ts';
import { kyselyRecipientStore } from './adapters/store/kysely-recipients.ts';
import { kyselyProviderCredentials } from './adapters/store/kysely-provider-credentials.ts';
import { createSecretBox, parseSecretKey } from './adapters/crypto/aes-gcm-secrets.ts';
import { kyselyInboxStore } from './adapters/store/kysely-inbox.ts';
import { kyselyTriggerRules } from './adapters/store/kysely-trigger-rules.ts';
import { pgNotifyBus } from './adapters/realtime/pg-notify-bus.ts';
import { redisBus } from './adapters/realtime/redis-bus.ts';
import type { InboxDeps } from './app/inbox.ts';
import type { InboxHub } from './app/inbox-hub.ts';
import { configuredProviders } from './providers-wiring.ts';
import { createDisposers } from './app/disposers.ts';
import { adminTokenFor, announceApi, startApi } from './api-wiring.ts';
import { startWorkerRole } from './worker-wiring.ts';
import { createPromMetrics } from './adapters/metrics/prom-metrics.ts';
import { kyselyQueueStats } from './adapters/store/kysely-queue-stats.ts';
import { startMetricsServer } from './adapters/metrics/metrics-server.ts';
import { kyselyNotificationTypeStore } from './adapters/store/kysely-notification-types.ts';
import { kyselyTemplateStore } from './adapters/store/kysely-templates.ts';
import { kyselyDeviceStore } from './adapters/store/kysely-devices.ts';
import { kyselyPreferenceStore } from './adapters/store/kysely-preferences.ts';
import { kyselyErasureStore } from './adapters/store/kysely-erasure.ts';
import { kyselySecretStore } from './adapters/store/kysely-deferred.ts';
import { createLinks, databaseSecret, dataDirSecret, makeSecret } from './app/links.ts';
import type { Redis } from 'ioredis';
import { kyselyProviderStatus } from './adapters/store/kysely-provider-status.ts';
import { kyselyAudienceStore } from './adapters/store/kysely-audiences.ts';
import { kyselyAnalytics } from './adapters/store/kysely-analytics.ts';
import { endpointSecrets, sealPlaintextEndpointSecrets } from './adapters/store/webhook-endpoint-secrets.ts';
import { createTrackingLinks } from './app/tracking-links.ts';
import { createMetadataCache } from './app/metadata-cache.ts';
import { announceMetadataChange, METADATA_CHANGED } from './adapters/store/metadata-changed.ts';
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

    const adminToken = adminTokenFor(config, database, logger);

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
    // API keys, types, templates and service defaults, cached in this process; a change anywhere clears
    // every process's copy.
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
      preferences: cache.preferences(kyselyPreferenceStore(db)),
      erasure: kyselyErasureStore(db),
      links,
    };
    // Trigger rules through the same cache: broker sources read them for every batch they expand.
    const rules = cache.rules(kyselyTriggerRules(db));
    const workflows = { store: kyselyWorkflowStore(db), clock };
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

    // What the worker and the API share in one process.
    const shared = {
      config,
      logger,
      database,
      disposers,
      redis,
      clock,
      renderer,
      metrics,
      inbox,
      recipients,
      preferences: prefs,
      rules,
      cachePreferences: (store: PreferenceStore) => cache.preferences(store),
      workflows,
      audiences,
      analytics,
      providerStatus,
      providers,
      credentials: credentialStore,
      webhookSecrets,
      trackingLinks,
    };
    if (roles.worker) await startWorkerRole(shared);

    let url: string | undefined;
    if (roles.api) {
      const apiUrl = await startApi({ ...shared, adminToken, cache, onInboxError, onHub: (h) => (hub = h) });
      url = apiUrl;
      if (!config.publicUrl) publicUrl = apiUrl;
      announceApi(logger, config, apiUrl, publicUrl, {
        embedded: database.kind === 'pglite',
        inboxBus: bus.name,
      });
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
