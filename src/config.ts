/**
 * Configuration: a file (`HERALD_CONFIG`, JSON or YAML) validated against a schema at start, with
 * environment variables on top for the common cases. A bad file stops Herald with every problem named.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import {
  Type,
  type Static,
  type TArray,
  type TObject,
  type TOptional,
  type TProperties,
  type TSchema,
  type TUnion,
} from 'typebox';
import { Value } from 'typebox/value';
import type { parse as ParseYaml } from 'yaml';
import { DEFAULT_RETRY_POLICY } from './domain/retry-policy.ts';
import { PROVIDERS, providerOf, type ProviderKey } from './adapters/channels/providers.ts';
import { SNS_CERT_URL_PATTERN } from './adapters/channels/ses/provider.ts';
import { DEFAULT_BREAKER_POLICY } from './domain/circuit-breaker.ts';
import { DEFAULT_WEBHOOK_SCHEDULE_MS } from './domain/status-events.ts';
import { DEFAULT_TEMPLATE_LIMITS } from './domain/templates.ts';
import { SourceConfig, sourceProblems } from './config-sources.ts';
import { PublisherConfig, publisherProblems } from './config-publishers.ts';

/** A provider's own limit and the share of it Herald may use (see domain/rate-slices.ts). */
const RateLimit = Type.Object(
  {
    perSecond: Type.Number({ minimum: 2 }),
    utilization: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.8 }),
  },
  { additionalProperties: false },
);

const Breaker = Type.Object(
  {
    failureThreshold: Type.Integer({ minimum: 1, default: DEFAULT_BREAKER_POLICY.failureThreshold }),
    windowMs: Type.Integer({ minimum: 100, default: DEFAULT_BREAKER_POLICY.windowMs }),
    openMs: Type.Integer({ minimum: 100, default: DEFAULT_BREAKER_POLICY.openMs }),
    probes: Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_BREAKER_POLICY.probes }),
  },
  { additionalProperties: false },
);

/** A provider's own breaker settings: only what it overrides, on top of the top-level `breaker`. */
const BreakerOverride = Type.Object(
  {
    failureThreshold: Type.Optional(Type.Integer({ minimum: 1 })),
    windowMs: Type.Optional(Type.Integer({ minimum: 100 })),
    openMs: Type.Optional(Type.Integer({ minimum: 100 })),
    probes: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

/** Engine settings any provider may carry, whatever its type. */
const ProviderEngine = {
  rateLimit: Type.Optional(RateLimit),
  breaker: Type.Optional(BreakerOverride),
};

/** Adds the engine's per-provider settings (rate limit, breaker) to a provider type's schema. */
const withEngine = <P extends TProperties>(schema: TObject<P>) =>
  Type.Object({ ...schema.properties, ...ProviderEngine }, { additionalProperties: false });

type WithEngine<S> = S extends TObject<infer P> ? ReturnType<typeof withEngine<P>> : never;
/** The entry schemas of a list of providers, with the engine settings, as a tuple. */
type EntrySchemas<L> = L extends readonly [infer H, ...infer R]
  ? [WithEngine<H extends { configSchema: infer S } ? S : never>, ...EntrySchemas<R>]
  : [];
type ProviderLists = typeof PROVIDERS;

/** A list of entries, in failover order, each of one of the providers under this key. */
type EntryList<L> = TOptional<TArray<TUnion<Extract<EntrySchemas<L>, TSchema[]>>>>;
const entryList = <L extends readonly { configSchema: TObject }[]>(providers: L): EntryList<L> =>
  Type.Optional(
    Type.Array(Type.Union(providers.map((p) => withEngine(p.configSchema))), { maxItems: 10 }),
  ) as unknown as EntryList<L>;

/** `providers`: one key per group in adapters/channels/providers.ts, each a list of entries. */
const Providers = Type.Object(
  Object.fromEntries(
    Object.entries(PROVIDERS).map(([key, providers]) => [key, entryList(providers)]),
  ) as unknown as { [K in ProviderKey]: EntryList<ProviderLists[K]> },
  { additionalProperties: false, default: {} },
);

const Retry = Type.Object(
  {
    maxAttempts: Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_RETRY_POLICY.maxAttempts }),
    maxAgeMs: Type.Integer({ minimum: 1000, default: DEFAULT_RETRY_POLICY.maxAgeMs }),
    baseDelayMs: Type.Integer({ minimum: 0, default: DEFAULT_RETRY_POLICY.baseDelayMs }),
    maxDelayMs: Type.Integer({ minimum: 0, default: DEFAULT_RETRY_POLICY.maxDelayMs }),
  },
  { additionalProperties: false },
);

/**
 * A channel's own retry settings: only what it overrides, on top of `retry.default` (no defaults of
 * its own, or they would silently replace the operator's `retry.default`).
 */
const RetryOverride = Type.Object(
  {
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    maxAgeMs: Type.Optional(Type.Integer({ minimum: 1000 })),
    baseDelayMs: Type.Optional(Type.Integer({ minimum: 0 })),
    maxDelayMs: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8025 }),
    publicUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    /**
     * A port of its own for /metrics, unauthenticated (bind or firewall it for Prometheus alone); with
     * it, the API port does not serve /metrics. Worker-only processes need it to be scraped at all.
     */
    metricsPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    /** A bearer token for /metrics on the API port (the admin token works too). */
    metricsToken: Type.Optional(Type.String({ minLength: 16 })),
    dataDir: Type.String({ default: './.herald' }),
    databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
    adminToken: Type.Optional(Type.String({ minLength: 16 })),
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 50 * 1024 * 1024, default: 512 * 1024 }),
    /**
     * HTTP server timeouts. `requestTimeoutMs`: the longest a request may take to arrive whole, headers
     * and body (an audience upload is the longest legitimate one: 10 minutes is 2 GiB at 3.6 MB/s);
     * Node answers 408 and closes when it runs out. `idleTimeoutMs`: a connection on which nothing
     * moves either way this long is closed; inbox streams send a heartbeat every `inbox.heartbeatMs`,
     * which must be shorter, so an open stream is never idle. Neither limits how long a stream lives.
     */
    http: Type.Object(
      {
        requestTimeoutMs: Type.Integer({ minimum: 1000, maximum: 86_400_000, default: 600_000 }),
        idleTimeoutMs: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 60_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info' },
    ),
    worker: Type.Object(
      {
        leaseMs: Type.Integer({ minimum: 1000, default: 60_000 }),
        pollMs: Type.Integer({ minimum: 10, default: 1000 }),
        concurrency: Type.Integer({ minimum: 1, maximum: 1000, default: 16 }),
        sweepMs: Type.Integer({ minimum: 100, default: 5000 }),
        drainMs: Type.Integer({ minimum: 0, default: 20_000 }),
        /** Server mode: how often a worker looks for dead owners (see app/dead-owners.ts). */
        ownerCheckMs: Type.Integer({ minimum: 100, default: 1000 }),
        /** How long an owner's liveness lock must stay free before its leases are handed back. */
        deadOwnerGraceMs: Type.Integer({ minimum: 0, default: 3000 }),
        /** Recipients a broadcast plans per batch (one transaction, a handful of queries). */
        fanoutBatch: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
        /**
         * A lane's claims are shared between the services waiting in it in proportion to these
         * weights (service id → weight; 1 for a service not listed).
         */
        serviceWeights: Type.Record(
          Type.String({
            pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
          }),
          Type.Integer({ minimum: 1, maximum: 1000 }),
          // A key that is not a service id is refused (Type.Never: `false` trips Value.Default).
          { additionalProperties: Type.Never(), default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    /**
     * What tenants' templates may cost. `cacheBytes`: the parse cache's bound (parsed size estimated
     * from the source). `requestBytes`: the template strings in one request together (422
     * `templates_too_large`). `notificationRenderMs`: render time for one notification's messages to
     * one recipient, after which its renders fail (`template_render_error`). `serviceRenderMsPerSecond`:
     * render time one service may use each second in one process; past it that service's planning
     * waits, others' does not.
     */
    templates: Type.Object(
      {
        cacheBytes: Type.Integer({ minimum: 0, default: DEFAULT_TEMPLATE_LIMITS.cacheBytes }),
        requestBytes: Type.Integer({ minimum: 1024, default: DEFAULT_TEMPLATE_LIMITS.requestTemplateBytes }),
        notificationRenderMs: Type.Integer({
          minimum: 10,
          default: DEFAULT_TEMPLATE_LIMITS.notificationRenderMs,
        }),
        serviceRenderMsPerSecond: Type.Integer({
          minimum: 10,
          maximum: 1000,
          default: DEFAULT_TEMPLATE_LIMITS.serviceRenderMsPerSecond,
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    inbox: Type.Object(
      {
        heartbeatMs: Type.Integer({ minimum: 1000, maximum: 600_000, default: 25_000 }),
        ticketTtlMs: Type.Integer({ minimum: 1000, maximum: 300_000, default: 30_000 }),
        /**
         * Open WebSocket and SSE streams one recipient may hold on one API process; one more is
         * refused with 429 `too_many_streams` before the upgrade or the event stream starts.
         */
        maxStreamsPerRecipient: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
        /** The same, for all of one service's recipients together: one service cannot take them all. */
        maxStreamsPerService: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 2000 }),
        /** The same, for every stream on one API process (each may buffer up to 4 MB for a slow reader). */
        maxStreams: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 20_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    retry: Type.Object(
      {
        default: Retry,
        email: Type.Optional(RetryOverride),
        sms: Type.Optional(RetryOverride),
        push: Type.Optional(RetryOverride),
        web_push: Type.Optional(RetryOverride),
        in_app: Type.Optional(RetryOverride),
        webhook: Type.Optional(RetryOverride),
      },
      { additionalProperties: false, default: { default: {} } },
    ),
    providers: Providers,
    /**
     * HERALD_SECRET_KEY, 32 bytes in base64: seals per-service provider credentials and status-webhook
     * signing secrets (AES-256-GCM) and, through a derived key, signs the links in messages. Unset, links
     * get a key Herald makes and keeps, stored credentials are off and webhook secrets are kept unsealed.
     */
    secretKey: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/_-]{43}=?$' })),
    /**
     * Redis, shared by every worker and API process: provider rate limits (in-process without it) and
     * inbox fan-out between API processes (PostgreSQL LISTEN/NOTIFY without it).
     */
    redisUrl: Type.Optional(Type.String({ pattern: '^rediss?://' })),
    /** Circuit breaker defaults for every provider; a provider's own `breaker` overrides them. */
    breaker: Type.Object(Breaker.properties, { additionalProperties: false, default: {} }),
    /** Requests per second allowed to each service, all its API keys together; over it: 429 with Retry-After. */
    apiRateLimit: Type.Object(
      { perSecond: Type.Integer({ minimum: 1, default: 1000 }) },
      { additionalProperties: false, default: {} },
    ),
    /**
     * Requests per second allowed to each inbox recipient (service + recipient id), counted once the
     * recipient's credentials or ticket checked out: `perSecond`, plus up to `burst` more in each
     * 10 seconds for a page that loads several things at once. Over it: 429 with Retry-After.
     */
    recipientRateLimit: Type.Object(
      {
        perSecond: Type.Integer({ minimum: 1, default: 20 }),
        burst: Type.Integer({ minimum: 0, default: 40 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /**
     * Requests per second allowed to each client IP on the pages and redirects that a signed token
     * in the URL opens (/p, /u, /t/o, /t/c). Provider receipts are not counted.
     */
    publicRateLimit: Type.Object(
      { perSecond: Type.Integer({ minimum: 1, default: 30 }) },
      { additionalProperties: false, default: {} },
    ),
    /**
     * Which proxies' X-Forwarded-For to believe for the client address (Fastify's `trustProxy`):
     * false (the default: the TCP peer is the client), true (any peer), or the proxies' addresses and
     * CIDRs separated by commas (e.g. `127.0.0.1,10.0.0.0/8`). Behind a reverse proxy set it, or every
     * reader shares the proxy's per-address budget.
     */
    trustProxy: Type.Union([Type.Boolean(), Type.String({ minLength: 1 })], { default: false }),
    receipts: Type.Object(
      { snsCertUrlPattern: Type.String({ minLength: 1, default: SNS_CERT_URL_PATTERN }) },
      { additionalProperties: false, default: {} },
    ),
    /**
     * Links in messages (preference page, unsubscribe, open pixel, click redirect) stop working this
     * many days after the message was planned (HERALD_LINK_TTL_DAYS). Most laws ask that an unsubscribe
     * link work for 30 days at least.
     */
    links: Type.Object(
      { ttlDays: Type.Integer({ minimum: 30, maximum: 3650, default: 365 }) },
      { additionalProperties: false, default: {} },
    ),
    /**
     * Finished notifications, with their deliveries, attempts and status history, are deleted this
     * many days after they were accepted (HERALD_RETENTION_DAYS); 0 keeps everything. Analytics keep
     * their counts, and a dead delivery keeps its notification until it is replayed.
     */
    retention: Type.Object(
      { days: Type.Integer({ minimum: 0, maximum: 36_500, default: 90 }) },
      { additionalProperties: false, default: {} },
    ),
    /** Lets status webhook endpoints point at private, loopback or link-local addresses (tests, closed networks). */
    allowPrivateWebhookUrls: Type.Boolean({ default: false }),
    /** Outgoing status webhooks: pauses between attempts (the last one given, the endpoint is disabled). */
    statusWebhooks: Type.Object(
      {
        retryScheduleMs: Type.Array(Type.Integer({ minimum: 0 }), {
          minItems: 0,
          maxItems: 30,
          default: [...DEFAULT_WEBHOOK_SCHEDULE_MS],
        }),
        timeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 15_000 }),
        concurrency: Type.Integer({ minimum: 1, maximum: 256, default: 16 }),
        /**
         * Messages one service may have claimed (being posted) at once across every worker, times its
         * weight (`worker.serviceWeights`), so an endpoint that hangs or fails holds that many posts and
         * other services have the rest. Keep it under `concurrency`.
         */
        perServiceConcurrency: Type.Integer({ minimum: 1, maximum: 256, default: 8 }),
        /** How long delivered messages and their attempts stay in the delivery log. */
        keepDeliveredMs: Type.Integer({ minimum: 60_000, default: 30 * 86_400_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /**
     * Broker sources (RabbitMQ, NATS JetStream, Redis Streams) a worker reads events from; see
     * docs/events.md.
     */
    sources: Type.Array(SourceConfig, { maxItems: 50, default: [] }),
    /**
     * Brokers (RabbitMQ, NATS JetStream, Redis Streams) a worker publishes delivery status events to;
     * see docs/events.md.
     */
    publishers: Type.Array(PublisherConfig, { maxItems: 50, default: [] }),
    /** How often a worker folds new status changes into the analytics rollups. */
    analytics: Type.Object(
      { rollupMs: Type.Integer({ minimum: 100, default: 5000 }) },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** The YAML parser, loaded only for a YAML file: seventy modules that JSON or no file never needs. */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as { parse: typeof ParseYaml };
  return yaml.parse(text);
}

function readFileConfig(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read HERALD_CONFIG file ${path}: ${(err as Error).message}`);
  }
  try {
    return /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`HERALD_CONFIG file ${path} does not parse: ${(err as Error).message}`);
  }
}

function intFromEnv(env: Env, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ConfigError(`${name} must be a whole number, got '${v}'.`);
  return n;
}

/** HERALD_TRUST_PROXY: `true`, `false`, or proxy addresses and CIDRs separated by commas. */
function trustProxyFromEnv(v: string | undefined): boolean | string | undefined {
  if (v === undefined || v === '') return undefined;
  return v === 'true' || v === 'false' ? v === 'true' : v;
}

/** File first, then the environment on top, then defaults; everything checked against the schema. */
export function loadConfig(env: Env = process.env, read: (path: string) => unknown = readFileConfig): Config {
  const file = env.HERALD_CONFIG ? read(env.HERALD_CONFIG) : {};
  if (file === null || typeof file !== 'object' || Array.isArray(file)) {
    throw new ConfigError('HERALD_CONFIG must hold an object at the top level.');
  }
  const raw = structuredClone(file) as Record<string, unknown>;
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== '') raw[key] = value;
  };
  set('databaseUrl', env.DATABASE_URL);
  set('redisUrl', env.REDIS_URL);
  set('dataDir', env.HERALD_DATA_DIR);
  set('adminToken', env.HERALD_ADMIN_TOKEN);
  set('secretKey', env.HERALD_SECRET_KEY);
  set('host', env.HERALD_HOST);
  set('port', intFromEnv(env, 'HERALD_PORT') ?? intFromEnv(env, 'PORT'));
  set('publicUrl', env.HERALD_PUBLIC_URL);
  set('metricsPort', intFromEnv(env, 'HERALD_METRICS_PORT'));
  set('metricsToken', env.HERALD_METRICS_TOKEN);
  set('logLevel', env.HERALD_LOG_LEVEL);
  const requestTimeoutMs = intFromEnv(env, 'HERALD_REQUEST_TIMEOUT_MS');
  const idleTimeoutMs = intFromEnv(env, 'HERALD_IDLE_TIMEOUT_MS');
  if (requestTimeoutMs !== undefined || idleTimeoutMs !== undefined)
    raw.http = {
      ...(raw.http as object | undefined),
      ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
      ...(idleTimeoutMs !== undefined ? { idleTimeoutMs } : {}),
    };
  const retentionDays = intFromEnv(env, 'HERALD_RETENTION_DAYS');
  if (retentionDays !== undefined)
    raw.retention = { ...(raw.retention as object | undefined), days: retentionDays };
  const ttlDays = intFromEnv(env, 'HERALD_LINK_TTL_DAYS');
  if (ttlDays !== undefined) raw.links = { ...(raw.links as object | undefined), ttlDays };
  set('trustProxy', trustProxyFromEnv(env.HERALD_TRUST_PROXY));
  const fanoutBatch = intFromEnv(env, 'HERALD_FANOUT_BATCH');
  if (fanoutBatch !== undefined) raw.worker = { ...(raw.worker as object | undefined), fanoutBatch };
  if (env.HERALD_SMTP_URL) {
    const providers = (raw.providers ?? {}) as Record<string, unknown>;
    const email: unknown[] = Array.isArray(providers.email) ? (providers.email as unknown[]) : [];
    providers.email = [
      {
        name: 'smtp',
        type: 'smtp',
        url: env.HERALD_SMTP_URL,
        from: env.HERALD_SMTP_FROM ?? 'Herald <herald@localhost>',
      },
      ...email,
    ];
    raw.providers = providers;
  }
  const withDefaults = Value.Default(ConfigSchema, raw);
  if (!Value.Check(ConfigSchema, withDefaults)) {
    const problems = [...Value.Errors(ConfigSchema, withDefaults)]
      .filter((e) => e.keyword !== 'boolean')
      .map((e) => `  ${e.instancePath || '(top)'}: ${e.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const config = withDefaults;
  checkProviders(config);
  const sourceIssues = sourceProblems(config.sources);
  if (sourceIssues.length > 0) throw new ConfigError(sourceIssues.join('\n'));
  const publisherIssues = publisherProblems(config.publishers);
  if (publisherIssues.length > 0) throw new ConfigError(publisherIssues.join('\n'));
  if (config.http.idleTimeoutMs <= config.inbox.heartbeatMs)
    throw new ConfigError(
      `http.idleTimeoutMs (${config.http.idleTimeoutMs}) must be longer than inbox.heartbeatMs (${config.inbox.heartbeatMs}), or idle inbox streams would be cut.`,
    );
  if (config.dataDir !== 'memory://') config.dataDir = resolve(config.dataDir);
  return config;
}

/**
 * What the schema cannot say: names unique across channels (receipts route by name), and each
 * provider's own cross-field checks (its `check`).
 */
function checkProviders(config: Config): void {
  const all = Object.values(config.providers).flatMap(
    (list) => (list ?? []) as { name: string; type: string }[],
  );
  const seen = new Set<string>();
  for (const p of all) {
    if (seen.has(p.name))
      throw new ConfigError(`Provider name '${p.name}' is used twice; names must be unique.`);
    seen.add(p.name);
  }
  for (const p of all) {
    const problem = providerOf(p.type)?.check?.(p, { publicUrl: config.publicUrl });
    if (problem) throw new ConfigError(problem);
  }
}
