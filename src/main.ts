/**
 * The one place that picks adapters from configuration and wires Herald's parts together.
 * Roles: `api` serves HTTP; `worker` plans and dispatches; `herald start` runs both in one process.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { CHANNELS, type Channel } from './domain/channels.ts';
import { createTemplateRenderer } from './domain/templates.ts';
import type { RetryPolicy } from './domain/retry-policy.ts';
import type { Sender } from './ports/sender.ts';
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
import { createSmtpSender } from './adapters/channels/smtp/smtp-sender.ts';
import { createCaptureSender } from './adapters/channels/capture/capture-sender.ts';
import { createSendGridSender } from './adapters/channels/sendgrid/sendgrid-sender.ts';
import { createSesSender } from './adapters/channels/ses/ses-sender.ts';
import { createTwilioSender } from './adapters/channels/twilio/twilio-sender.ts';
import { createVonageSender } from './adapters/channels/vonage/vonage-sender.ts';
import { createFcmSender } from './adapters/channels/fcm/fcm-sender.ts';
import type { ServiceAccount } from './adapters/channels/fcm/fcm-oauth.ts';
import { createApnsSender } from './adapters/channels/apns/apns-sender.ts';
import { createWebPushSender } from './adapters/channels/webpush/webpush-sender.ts';
import { createSlackSender } from './adapters/channels/slack/slack-sender.ts';
import { kyselyReceiptStore, kyselySuppressionList } from './adapters/store/kysely-receipts.ts';
import { kyselyProviderCredentials } from './adapters/store/kysely-provider-credentials.ts';
import { createSecretBox, parseSecretKey } from './adapters/crypto/aes-gcm-secrets.ts';
import { createInAppSender } from './adapters/channels/in-app/in-app-sender.ts';
import { kyselyInboxStore } from './adapters/store/kysely-inbox.ts';
import { kyselyInboxSecrets, kyselyTickets } from './adapters/store/kysely-inbox-auth.ts';
import { pgNotifyBus } from './adapters/realtime/pg-notify-bus.ts';
import { redisBus } from './adapters/realtime/redis-bus.ts';
import { inboxDeliverer, type InboxDeps } from './app/inbox.ts';
import { InboxHub } from './app/inbox-hub.ts';
import { buildServer } from './http/server.ts';
import { createPromMetrics } from './adapters/metrics/prom-metrics.ts';
import { kyselyQueueStats } from './adapters/store/kysely-queue-stats.ts';
import { startMetricsServer } from './adapters/metrics/metrics-server.ts';
import { withServiceCredentials } from './app/service-credentials.ts';
import {
  isCredentialType,
  openUrlFields,
  serviceEntry,
  storedCredentialsProblem,
} from './config-service-credentials.ts';
import type { ProviderCredentialStore } from './ports/provider-credentials.ts';
import type { ReceiptEndpoint, ReceiptRoutesDeps } from './http/routes/receipts.ts';
import { createPlanner } from './app/plan.ts';
import { createEventsWorker } from './app/events.ts';
import { EVENTS_WAKE, kyselyEventStore } from './adapters/store/kysely-events.ts';
import { startEventSources } from './app/event-sources.ts';
import { createEventSource } from './adapters/sources/index.ts';
import { kyselyDeadEvents } from './adapters/store/kysely-dead-events.ts';
import { kyselyTriggerRules } from './adapters/store/kysely-trigger-rules.ts';
import { deactivateGoneAddress } from './app/dead-addresses.ts';
import { createLane } from './app/dispatch.ts';
import type { LogIds, WorkLoop } from './app/work-loop.ts';
import { sql } from 'kysely';
import { kyselyNotificationTypeStore } from './adapters/store/kysely-notification-types.ts';
import { kyselyTemplateStore } from './adapters/store/kysely-templates.ts';
import { kyselyDeviceStore } from './adapters/store/kysely-devices.ts';
import { kyselyPreferenceStore } from './adapters/store/kysely-preferences.ts';
import { kyselyErasureStore } from './adapters/store/kysely-erasure.ts';
import { kyselyDeferredQueue, kyselySecretStore } from './adapters/store/kysely-deferred.ts';
import { createLinks, databaseSecret, dataDirSecret, makeSecret } from './app/links.ts';
import { loadPlanContext } from './app/plan-context.ts';
import type { Redis } from 'ioredis';
import { createWebhookSender } from './adapters/channels/webhook/webhook-sender.ts';
import { providerRateLimiter, requestRateLimiter } from './adapters/ratelimit/flexible-limiters.ts';
import { kyselyProviderStatus } from './adapters/store/kysely-provider-status.ts';
import { kyselyDeadLetters } from './adapters/store/kysely-dead-letters.ts';
import { createProviderHealth } from './app/provider-health.ts';
import type { RateLimitSetting } from './domain/rate-slices.ts';
import type { BreakerPolicy } from './domain/circuit-breaker.ts';
import { planBroadcast } from './app/fanout.ts';
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
import {
  createStatusWebhookPoster,
  type StatusWebhookPoster,
} from './adapters/webhooks/status-webhook-poster.ts';
import { createStatusWebhookLoop } from './app/status-webhooks.ts';
import { ownTwilioAccounts } from './app/receipt-accounts.ts';
import { createTrackingLinks } from './app/tracking-links.ts';
import { kyselyTrackingStore } from './adapters/store/kysely-tracking.ts';
import { kyselyLinkHosts } from './adapters/store/kysely-link-hosts.ts';
import { startWarnings } from './config-warnings.ts';
import { kyselyRetention } from './adapters/store/kysely-retention.ts';
import { pruneOld } from './app/retention.ts';
import { planBatch } from './app/plan-batch.ts';
import { createMetadataCache } from './app/metadata-cache.ts';
import { createBatcher } from './app/batcher.ts';
import { captureMany, type CapturedMessage } from './adapters/store/kysely-capture-many.ts';
import { recipientsByIds, recipientsByKeys } from './adapters/store/kysely-recipients-by-ids.ts';
import { announceMetadataChange, METADATA_CHANGED } from './adapters/store/metadata-changed.ts';
import type { NewNotification } from './domain/types.ts';
import { kyselyOwnerStore } from './adapters/store/kysely-owners.ts';
import { holdOwnerLock, type OwnerLock } from './adapters/store/pg-owner-lock.ts';
import { createDeadOwnerWatch } from './app/dead-owners.ts';

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

type ProviderEntry = NonNullable<Config['providers'][keyof Config['providers']]>[number];

/** One provider entry (from the config file, or built from a service's own credentials). */
function senderFromConfig(config: Config, entry: ProviderEntry, fromService = false): Sender {
  // A service's own credentials may name URLs (a regional base URL, say): those may not reach the
  // operator's network. The operator's own configuration is trusted to point where it likes.
  const p = { ...entry, refusePrivate: fromService && !config.allowPrivateWebhookUrls };
  switch (p.type) {
    case 'smtp':
      return createSmtpSender(p);
    case 'sendgrid':
      return createSendGridSender(p);
    case 'ses':
      return createSesSender(p);
    case 'twilio': {
      const statusCallbackUrl = p.statusCallbacks ? receiptUrl(config, p.name) : undefined;
      return createTwilioSender({ ...p, statusCallbackUrl });
    }
    case 'vonage':
      return createVonageSender(p);
    case 'fcm': {
      const serviceAccount = (p.serviceAccount ??
        JSON.parse(readFileSync(p.serviceAccountFile ?? '', 'utf8'))) as ServiceAccount;
      return createFcmSender({ ...p, serviceAccount });
    }
    case 'apns': {
      const privateKey = p.privateKey ?? readFileSync(p.privateKeyFile ?? '', 'utf8');
      const baseUrl = p.baseUrl ?? (p.sandbox ? 'https://api.sandbox.push.apple.com' : undefined);
      return createApnsSender({ ...p, privateKey, baseUrl });
    }
    case 'webpush':
      return createWebPushSender(p);
    case 'slack':
      return createSlackSender({ ...p, allowPrivate: config.allowPrivateWebhookUrls });
    case 'webhook':
      return createWebhookSender({ ...p, allowPrivate: config.allowPrivateWebhookUrls });
  }
}

const PROVIDER_CHANNELS: Readonly<Record<keyof Config['providers'], Channel>> = {
  email: 'email',
  sms: 'sms',
  push: 'push',
  web_push: 'web_push',
  webhook: 'webhook',
  slack: 'webhook',
};

function buildSenders(
  config: Config,
  db: Database,
  logger: Logger,
  inbox: InboxDeps,
  credentials?: ProviderCredentialStore,
): Map<Channel, Sender[]> {
  // Messages a lane captures at once (embedded mode, no provider) are written in one statement.
  const captures = createBatcher({
    run: (ms: readonly CapturedMessage[]) => captureMany(db.db, ms),
    concurrency: 1,
  });
  const outbox = {
    ...kyselyOutbox(db.db),
    capture: (serviceId: string, m: Omit<CapturedMessage, 'serviceId'>) =>
      captures.submit({ serviceId, ...m }),
  };
  const senders = new Map<Channel, Sender[]>();
  for (const channel of CHANNELS) senders.set(channel, []);
  // In-app needs no outside provider in either mode: Herald's own inbox is the destination.
  senders.get('in_app')?.push(createInAppSender(inboxDeliverer(inbox)));
  for (const [key, channel] of Object.entries(PROVIDER_CHANNELS)) {
    for (const p of config.providers[key as keyof Config['providers']] ?? []) {
      if (p.type === 'slack') warnIfRefused(config, p.name, p.baseUrl, logger);
      const configured = senderFromConfig(config, p);
      // Services may bring their own credentials for a configured provider (SMTP and webhook excepted);
      // a service's sender is built from them alone (config-service-credentials.ts).
      const sender =
        credentials && isCredentialType(p.type)
          ? withServiceCredentials({
              sender: configured,
              type: p.type,
              lookup: (serviceId, name) => credentials.get(serviceId, name),
              check: (own) => storedCredentialsProblem(p, own),
              build: (_type, _name, own) =>
                senderFromConfig(config, serviceEntry(p, own) as ProviderEntry, true),
            })
          : configured;
      senders.get(channel)?.push(sender);
    }
  }
  for (const channel of CHANNELS) {
    const chain = senders.get(channel) ?? [];
    if (chain.length === 0 && db.kind === 'pglite') chain.push(createCaptureSender(channel, outbox));
    logger.info(
      { channel, providers: chain.map((s) => s.name) },
      chain.length ? 'channel ready' : 'channel not configured',
    );
  }
  return senders;
}

/**
 * A Slack base URL in the config file that the SSRF guard will refuse: every send to it fails, so say
 * so at start. Only a warning — the guard itself acts at send time, where DNS may answer differently.
 */
function warnIfRefused(config: Config, provider: string, baseUrl: string | undefined, logger: Logger): void {
  if (!baseUrl || config.allowPrivateWebhookUrls) return;
  void checkWebhookUrl(baseUrl, false).then((problem) => {
    if (problem)
      logger.warn(
        { provider, host: URL.parse(baseUrl)?.host, problem },
        'Slack baseUrl fails the private-address check, so sends to it will be refused (allowPrivateWebhookUrls lifts this)',
      );
  });
}

/** Where a provider posts its delivery receipts (see http/routes/receipts.ts). */
function receiptUrl(config: Config, provider: string): string | undefined {
  return config.publicUrl ? `${config.publicUrl.replace(/\/$/, '')}/v1/receipts/${provider}` : undefined;
}

/** Providers that post receipts to Herald, by name, with what authenticates them. */
function receiptRoutes(
  config: Config,
  db: Database,
  credentials?: ProviderCredentialStore,
): ReceiptRoutesDeps | undefined {
  const endpoints = new Map<string, ReceiptEndpoint>();
  for (const p of config.providers.email ?? []) {
    if (p.type === 'sendgrid' && p.webhookPublicKey)
      endpoints.set(p.name, { type: 'sendgrid', publicKey: p.webhookPublicKey });
    if (p.type === 'ses') endpoints.set(p.name, { type: 'ses', topicArns: p.snsTopicArns ?? [] });
  }
  for (const p of config.providers.sms ?? [])
    if (p.type === 'twilio') endpoints.set(p.name, { type: 'twilio', authToken: p.authToken });
  if (endpoints.size === 0) return undefined;
  const receipts = kyselyReceiptStore(db.db);
  return {
    receipts,
    endpoints,
    ...(credentials ? { ownTwilioAccounts: ownTwilioAccounts(receipts, credentials) } : {}),
    publicUrl: config.publicUrl,
    snsCertUrlPattern: config.receipts.snsCertUrlPattern,
  };
}

interface ProviderEngineSettings {
  name: string;
  channel: Channel;
  rateLimit?: RateLimitSetting | undefined;
  breaker?: Partial<BreakerPolicy> | undefined;
}

/** Every configured provider with its channel, for breakers, rate limits and GET /v1/providers. */
function configuredProviders(config: Config): ProviderEngineSettings[] {
  return [
    ...Object.entries(PROVIDER_CHANNELS).flatMap(([key, channel]) =>
      (config.providers[key as keyof Config['providers']] ?? []).map((p) => ({ ...p, channel })),
    ),
  ];
}

/** Redis only when configured; commands fail fast while it is down so limits fall back locally. */
async function connectRedis(url: string | undefined, logger: Logger): Promise<Redis | undefined> {
  if (!url) return undefined;
  const { Redis: RedisClient } = await import('ioredis');
  const redis = new RedisClient(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis error'));
  return redis;
}

/** A channel's retry policy: `retry.default` with the channel's own settings on top. */
function retryPolicyFor(config: Config, channel: Channel): RetryPolicy {
  const perChannel = (config.retry as Record<string, Partial<RetryPolicy> | undefined>)[channel];
  return { ...config.retry.default, ...perChannel };
}

export async function startHerald(config: Config, roles: Roles, log?: Logger): Promise<Herald> {
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
  let redis: Redis | undefined;
  let unlistenCache: (() => Promise<void>) | undefined;
  let ownerLock: OwnerLock | undefined;
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
    let metricsServer: { close(): Promise<void> } | undefined;
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
    unlistenCache = await database.listen((payload) => {
      if (payload === METADATA_CHANGED) cache.invalidate();
    });
    const prefs = {
      types: cache.types(kyselyNotificationTypeStore(db)),
      templates: cache.templates(kyselyTemplateStore(db)),
      devices: kyselyDeviceStore(db),
      preferences: kyselyPreferenceStore(db),
      erasure: kyselyErasureStore(db),
      links,
    };
    const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    const loops: WorkLoop<unknown>[] = [];
    // Broadcasts plan for minutes; they check this between batches so a stop hands them back at once.
    let stoppingWorker = false;
    let unlisten: (() => Promise<void>) | undefined;
    let sweeper: NodeJS.Timeout | undefined;
    let sources: { stop(): Promise<void> } | undefined;
    let ownerWatch: NodeJS.Timeout | undefined;
    let senders: Map<Channel, Sender[]> | undefined;
    const providers = configuredProviders(config);
    redis = await connectRedis(config.redisUrl, logger);
    const providerStatus = kyselyProviderStatus(db);
    let publisher: NodeJS.Timeout | undefined;
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
    const inbox: InboxDeps = { store: kyselyInboxStore(db), bus, onError: onInboxError };
    let unsubscribeBus: (() => Promise<void>) | undefined;
    const analytics = kyselyAnalytics(db);
    let rollups: NodeJS.Timeout | undefined;
    let poster: StatusWebhookPoster | undefined;

    if (roles.worker) {
      const onError = (err: unknown, where: string, ids?: LogIds) =>
        logger.error({ err, where, ...ids }, 'worker error');
      // What batch and broadcast planning read and render with.
      const planning = {
        ...prefs,
        store: kyselyFanoutStore(db),
        suppressions: kyselySuppressionList(db),
        renderer,
        links: (s: string, id: string) => links.forRecipient(s, id),
        tracking: trackingLinks,
        now: () => new Date(),
      };
      const planner = createPlanner({
        owner,
        queue: kyselyPlanQueue(db),
        recipients,
        renderer,
        leaseMs: config.worker.leaseMs,
        pollMs: config.worker.pollMs,
        concurrency: Math.max(2, Math.ceil(config.worker.concurrency / 4)),
        suppressions: kyselySuppressionList(db),
        onError,
        context: (n, r) =>
          loadPlanContext(
            {
              ...prefs,
              now: () => new Date(),
              links: (s, id) => links.forRecipient(s, id),
              tracking: trackingLinks,
            },
            n,
            r,
          ),
        batch: (ns) => planBatch(planning, ns),
        broadcast: (n, planOwner) =>
          planBroadcast(
            {
              ...planning,
              batchSize: config.worker.fanoutBatch,
              leaseMs: config.worker.leaseMs,
              stopping: () => stoppingWorker,
              onResume: (b, cursor, planned) =>
                logger.info({ notification: b.id, cursor, planned }, 'resuming broadcast'),
            },
            n,
            planOwner,
          ),
      });
      senders = buildSenders(config, database, logger, inbox, credentialStore);
      const queue = kyselyDeliveryQueue(db);
      const health = createProviderHealth({ providers, defaults: config.breaker });
      const limiter = providerRateLimiter(
        redis,
        new Map(providers.flatMap((p) => (p.rateLimit ? [[p.name, p.rateLimit] as const] : []))),
      );
      const publish = () =>
        providerStatus
          .publish(owner, health.snapshot())
          .catch((err: unknown) => onError(err, 'provider status'));
      health.onChange(({ provider, scope, state }) => {
        logger.info(
          { provider, serviceId: scope?.serviceId, host: scope?.host, state },
          'circuit breaker changed',
        );
        void publish();
      });
      publisher = setInterval(() => void publish(), 2000);
      void publish();
      const lanes = new Map<string, WorkLoop<unknown>>();
      for (const channel of CHANNELS) {
        lanes.set(
          `lane:${channel}`,
          createLane({
            channel,
            owner,
            queue,
            senders: senders.get(channel) ?? [],
            policy: retryPolicyFor(config, channel),
            leaseMs: config.worker.leaseMs,
            pollMs: config.worker.pollMs,
            concurrency: config.worker.concurrency,
            weights: config.worker.serviceWeights,
            health,
            limiter,
            onError,
            onSettled: (d, settlement, attempt) => {
              // One line per attempt, with the ids that find it again; failures louder than successes.
              const level =
                settlement.status === 'sent' ? 'debug' : settlement.status === 'queued' ? 'info' : 'warn';
              logger[level](
                {
                  notificationId: d.notificationId,
                  deliveryId: d.id,
                  channel: d.channel,
                  provider: attempt.provider,
                  attempt: attempt.attempt,
                  outcome: attempt.outcome,
                  status: settlement.status,
                  errorCode: attempt.errorCode,
                },
                'delivery attempt settled',
              );
              metrics.deliverySettled({
                channel: d.channel,
                provider: attempt.provider,
                status: settlement.status,
                outcome: attempt.outcome,
                attemptMs: attempt.durationMs,
                ...(settlement.status === 'sent'
                  ? { queuedToSentMs: Date.now() - d.createdAt.getTime() }
                  : {}),
              });
              deactivateGoneAddress(prefs.devices, d, settlement).then(
                (done) => done && logger.info({ deliveryId: d.id, device: d.target }, 'device deactivated'),
                (err: unknown) => onError(err, 'device deactivation'),
              );
            },
          }),
        );
      }
      poster = createStatusWebhookPoster({
        timeoutMs: config.statusWebhooks.timeoutMs,
        allowPrivate: config.allowPrivateWebhookUrls,
      });
      const webhookOutbox = kyselyWebhookOutbox(db, webhookSecrets);
      const statusWebhooks = createStatusWebhookLoop({
        owner,
        outbox: webhookOutbox,
        poster,
        schedule: config.statusWebhooks.retryScheduleMs,
        leaseMs: config.worker.leaseMs,
        pollMs: config.worker.pollMs,
        concurrency: config.statusWebhooks.concurrency,
        weights: config.worker.serviceWeights,
        perServiceConcurrency: config.statusWebhooks.perServiceConcurrency,
        onError,
      });
      const eventsWorker = createEventsWorker({
        owner,
        events: kyselyEventStore(db),
        rules: kyselyTriggerRules(db),
        types: prefs.types,
        renderer,
        leaseMs: config.worker.leaseMs,
        pollMs: config.worker.pollMs,
        concurrency: Math.max(2, Math.ceil(config.worker.concurrency / 4)),
        onError,
      });
      unlisten = await database.listen((payload) => {
        if (payload === 'plan') planner.wake();
        else if (payload === EVENTS_WAKE) eventsWorker.wake();
        else if (payload === 'status-webhooks') statusWebhooks.wake();
        else lanes.get(payload)?.wake();
      });
      loops.push(planner, eventsWorker, ...lanes.values(), statusWebhooks);
      rollups = setInterval(
        () => void analytics.rollUp().catch((err: unknown) => onError(err, 'analytics rollup')),
        config.analytics.rollupMs,
      );
      const owners = kyselyOwnerStore(db);
      // Embedded: this process just took the data-folder lock, so whoever held leases is dead.
      if (database.kind === 'pglite') await owners.expireLeases(null);
      else if (config.databaseUrl) {
        ownerLock = await holdOwnerLock(config.databaseUrl, owner, {
          onError: (err) => logger.warn({ err }, 'owner lock connection lost; taking it again'),
        });
      }
      for (const loop of loops) loop.start();
      sources = await startEventSources({
        sources: config.sources,
        makeSource: createEventSource,
        events: kyselyEventStore(db),
        dead: kyselyDeadEvents(db),
        metrics,
        log: logger,
        serviceExists: async (id) => (await kyselyServiceStore(db).get(id)) !== null,
      });
      const deferred = kyselyDeferredQueue(db);
      const retention = kyselyRetention(db);
      const sweep = async () => {
        // Quiet hours over: deferred deliveries become due and their lanes are woken.
        for (const channel of await deferred.releaseDue(1000)) lanes.get(`lane:${channel}`)?.wake();
        const perChannel = Object.fromEntries(
          CHANNELS.map((c) => [c, retryPolicyFor(config, c).maxAttempts]),
        );
        if ((await webhookOutbox.reclaimExpired()) > 0) statusWebhooks.wake();
        await webhookOutbox.prune(config.statusWebhooks.keepDeliveredMs);
        if (config.retention.days > 0) await pruneOld(retention, config.retention.days * 86_400_000);
        // An upload cannot outlast its request timeout: one staged for twice that died with its process.
        await audiences.dropAbandoned(new Date(Date.now() - 2 * config.http.requestTimeoutMs));
        const moved = await queue.reclaimExpired(config.retry.default.maxAttempts, perChannel);
        if (moved > 0) {
          logger.warn({ moved }, 'reclaimed deliveries whose worker lost its lease');
          for (const lane of lanes.values()) lane.wake();
        }
      };
      sweeper = setInterval(
        () => void sweep().catch((err: unknown) => onError(err, 'sweeper')),
        config.worker.sweepMs,
      );
      // Leases of a dead owner go back at once: in embedded mode now, in server mode when seen.
      if (database.kind === 'pglite') await sweep().catch((err: unknown) => onError(err, 'sweeper'));
      else {
        const watch = createDeadOwnerWatch({
          self: owner,
          store: owners,
          graceMs: config.worker.deadOwnerGraceMs,
        });
        const look = async () => {
          const dead = await watch.check();
          if (dead.length === 0) return;
          logger.warn({ dead }, 'workers died; handing their leases back');
          await sweep();
        };
        ownerWatch = setInterval(
          () => void look().catch((err: unknown) => onError(err, 'dead owners')),
          config.worker.ownerCheckMs,
        );
      }
      logger.info({ owner }, 'worker started');
    }

    let app: FastifyInstance | undefined;
    let url: string | undefined;
    if (roles.api) {
      hub = new InboxHub({
        store: inbox.store,
        heartbeatMs: config.inbox.heartbeatMs,
        onError: onInboxError,
      });
      hub.start();
      const wakeHub = hub;
      unsubscribeBus = await bus.subscribe((r) => wakeHub.wake(r));
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
      app = await buildServer({
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

    // A port of its own, for any process: a worker with no API still needs somewhere to be scraped.
    if (config.metricsPort !== undefined) {
      metricsServer = await startMetricsServer(metrics, config.host, config.metricsPort);
      logger.info({ port: config.metricsPort }, 'metrics listening');
    }

    let stopping: Promise<void> | undefined;
    return {
      url,
      adminToken,
      db,
      stop() {
        stopping ??= (async () => {
          logger.info('stopping: no new claims, finishing in-flight work');
          stoppingWorker = true;
          await app?.close();
          hub?.close();
          await unsubscribeBus?.();
          if (sweeper) clearInterval(sweeper);
          if (ownerWatch) clearInterval(ownerWatch);
          if (rollups) clearInterval(rollups);
          await sources?.stop();
          const drain = Promise.all(loops.map((l) => l.stop()));
          const timeout = new Promise<'timeout'>((r) =>
            setTimeout(() => r('timeout'), config.worker.drainMs).unref(),
          );
          if ((await Promise.race([drain.then(() => 'drained' as const), timeout])) === 'timeout') {
            logger.warn('drain timed out; unfinished deliveries will be reclaimed when their lease expires');
          }
          await unlisten?.();
          await unlistenCache?.();
          await ownerLock?.release();
          await metricsServer?.close();
          if (publisher) {
            clearInterval(publisher);
            await providerStatus.forget(owner).catch(() => undefined);
          }
          await bus.close();
          for (const chain of senders?.values() ?? []) for (const s of chain) await s.close?.();
          await poster?.close();
          await redis?.quit().catch(() => undefined);
          await database.close();
          logger.info('stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await unlistenCache?.().catch(() => undefined);
    redis?.disconnect();
    await ownerLock?.release();
    await database.close().catch(() => undefined);
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
