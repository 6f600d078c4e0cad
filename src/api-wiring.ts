/**
 * The API role: its inbox hub, the batchers that share one transaction between concurrent accepts,
 * the stores each route group needs, and the server itself, listening. main.ts chooses the adapters
 * and hands over what the API shares with the worker in one process (the cached stores, the bus, the
 * metrics); everything started here registers its stop with main's disposers.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Config } from './config.ts';
import { startWarnings } from './config-warnings.ts';
import { openUrlFields } from './config-service-credentials.ts';
import type { NewNotification } from './domain/types.ts';
import type { ProviderCredentialStore } from './ports/provider-credentials.ts';
import type { Disposers } from './app/disposers.ts';
import type { InboxDeps } from './app/inbox.ts';
import { InboxHub } from './app/inbox-hub.ts';
import { createBatcher } from './app/batcher.ts';
import type { MetadataCache } from './app/metadata-cache.ts';
import { buildServer, type HttpDeps } from './http/server.ts';
import { MEMORY, schemaIsCurrent, type Database } from './adapters/store/connect.ts';
import { kyselyApiKeyStore, kyselyServiceStore } from './adapters/store/kysely-services.ts';
import { kyselyNotificationStore } from './adapters/store/kysely-notifications.ts';
import { recipientsByIds, recipientsByKeys } from './adapters/store/kysely-recipients-by-ids.ts';
import { kyselyOutbox } from './adapters/store/kysely-outbox.ts';
import type { TriggerRuleStore } from './ports/events.ts';
import { kyselyEventStore } from './adapters/store/kysely-events.ts';
import { kyselyDeadLetters } from './adapters/store/kysely-dead-letters.ts';
import { kyselyInboxSecrets, kyselyTickets } from './adapters/store/kysely-inbox-auth.ts';
import { kyselyTopicStore } from './adapters/store/kysely-topics.ts';
import { kyselyNotificationCanceller } from './adapters/store/kysely-notification-cancel.ts';
import { kyselyWebhookEndpoints } from './adapters/store/kysely-webhook-endpoints.ts';
import type { EndpointSecrets } from './adapters/store/webhook-endpoint-secrets.ts';
import { kyselyOperator } from './adapters/store/kysely-operator.ts';
import { kyselyTrackingStore } from './adapters/store/kysely-tracking.ts';
import { kyselyLinkHosts } from './adapters/store/kysely-link-hosts.ts';
import { requestRateLimiter } from './adapters/ratelimit/flexible-limiters.ts';
import { checkWebhookUrl } from './adapters/net/ssrf-guard.ts';
import { receiptRoutes, type ProviderEngineSettings } from './providers-wiring.ts';

type Operate = NonNullable<HttpDeps['operate']>;
type Engine = NonNullable<HttpDeps['engine']>;

/** What the API shares with the rest of the process, built once in main.ts. */
export interface ApiParts {
  config: Config;
  logger: Logger;
  database: Database;
  disposers: Disposers;
  adminToken: string | undefined;
  redis: Redis | undefined;
  /** API keys are read through it, so a change in any process clears every process's copy. */
  cache: MetadataCache;
  inbox: InboxDeps;
  onInboxError: (err: unknown, where: string) => void;
  /** Told the inbox hub as soon as it exists: the bus wakes it when it reconnects. */
  onHub(hub: InboxHub): void;
  renderer: HttpDeps['renderer'];
  metrics: HttpDeps['metrics'];
  recipients: HttpDeps['recipients'];
  preferences: NonNullable<HttpDeps['preferences']>;
  /** Trigger rules through the metadata cache: a change clears every process's copy. */
  rules: TriggerRuleStore;
  workflows: NonNullable<HttpDeps['workflows']>;
  audiences: NonNullable<HttpDeps['broadcasts']>['audiences'];
  analytics: Operate['analytics'];
  providerStatus: Engine['providerStatus'];
  providers: ProviderEngineSettings[];
  credentials: ProviderCredentialStore | undefined;
  webhookSecrets: EndpointSecrets;
  trackingLinks: Operate['tracking']['links'];
}

/** Starts the API and answers the address it listens on. */
export async function startApi(p: ApiParts): Promise<string> {
  const { config, database, disposers, redis } = p;
  const { db } = database;
  const embedded = database.kind === 'pglite';
  const hub = new InboxHub({
    store: p.inbox.store,
    heartbeatMs: config.inbox.heartbeatMs,
    onError: p.onInboxError,
  });
  p.onHub(hub);
  hub.start();
  disposers.defer(() => hub.close());
  disposers.defer(await p.inbox.bus.subscribe((r, events) => hub.wake(r, events)));
  const notifications = kyselyNotificationStore(db);
  // Concurrent accepts share one transaction; PGlite runs one statement at a time anyway.
  const accepts = createBatcher({
    run: (ns: readonly NewNotification[]) => notifications.acceptMany(ns),
    concurrency: embedded ? 1 : 2,
  });
  // The recipients that one tick's accepts name, read in one query.
  const recipientReads = createBatcher({
    run: (keys: readonly { serviceId: string; id: string }[]) => recipientsByKeys(db, keys),
    concurrency: embedded ? 1 : 4,
    isRowError: () => false,
  });
  const app = await buildServer({
    services: kyselyServiceStore(db),
    keys: p.cache.keys(kyselyApiKeyStore(db)),
    recipients: p.recipients,
    notifications,
    commit: (n) => accepts.submit(n),
    lookupRecipient: (serviceId, id) => recipientReads.submit({ serviceId, id }),
    recipientsByIds: (serviceId, ids) => recipientsByIds(db, serviceId, ids),
    outbox: kyselyOutbox(db),
    renderer: p.renderer,
    preferences: p.preferences,
    events: { rules: p.rules, events: kyselyEventStore(db) },
    adminToken: p.adminToken,
    metricsToken: config.metricsPort !== undefined ? null : config.metricsToken,
    bodyLimit: config.bodyLimitBytes,
    timeouts: config.http,
    trustProxy: config.trustProxy,
    publicLimiter: requestRateLimiter(redis, config.publicRateLimit.perSecond, { scope: 'ip' }),
    metrics: p.metrics,
    logger: p.logger.child({ component: 'api' }),
    receipts: receiptRoutes(config, database, p.credentials),
    providerCredentials: p.credentials,
    checkUrl: (u) => checkWebhookUrl(u, config.allowPrivateWebhookUrls),
    openUrlFields: (name, type) => openUrlFields(Object.values(config.providers).flat(), name, type),
    engine: {
      deadLetters: kyselyDeadLetters(db),
      providerStatus: p.providerStatus,
      providers: p.providers.map((x) => ({ name: x.name, channel: x.channel })),
      requestLimiter: requestRateLimiter(redis, config.apiRateLimit.perSecond, { scope: 'service' }),
    },
    inbox: {
      ...p.inbox,
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
      recipientExists: async (r) => (await p.recipients.get(r.serviceId, r.recipientId)) !== null,
    },
    workflows: p.workflows,
    broadcasts: {
      topics: kyselyTopicStore(db),
      audiences: p.audiences,
      canceller: kyselyNotificationCanceller(db),
    },
    operate: {
      analytics: p.analytics,
      webhookEndpoints: kyselyWebhookEndpoints(db, p.webhookSecrets),
      operator: kyselyOperator(db),
      embedded,
      tracking: { links: p.trackingLinks, store: kyselyTrackingStore(db), linkHosts: kyselyLinkHosts(db) },
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
  return app.listen({ host: config.host, port: config.port });
}

/** Logs that the API listens, with what a reader of the log needs first; warns about the config. */
export function announceApi(
  logger: Logger,
  config: Config,
  url: string,
  publicUrl: string,
  o: { embedded: boolean; inboxBus: string },
): void {
  for (const w of startWarnings(config, publicUrl)) logger.warn(w.fields, w.message);
  logger.info(
    { url, docs: `${url}/docs`, mode: o.embedded ? 'embedded' : 'postgres', inboxBus: o.inboxBus },
    'Herald API listening',
  );
}

/**
 * The admin token: the configured one; in embedded mode with a data folder, one made once and kept
 * there, readable only by its owner.
 */
export function adminTokenFor(config: Config, database: Database, logger: Logger): string | undefined {
  if (config.adminToken || database.kind !== 'pglite' || config.dataDir === MEMORY) return config.adminToken;
  const file = join(config.dataDir, 'admin-token');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(config.dataDir, { recursive: true });
    const token = `hadm_${randomBytes(24).toString('base64url')}`;
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    logger.info({ file }, 'admin token created');
    return token;
  }
}
