/** The HTTP API: Fastify with schema-validated routes, one error shape, and OpenAPI docs at /docs. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import type { Ajv } from 'ajv';
import { ERROR_CODES } from '../domain/errors.ts';
import type { TemplateRenderer } from '../domain/templates.ts';
import type {
  ApiKeyStore,
  NotificationStore,
  OutboxStore,
  RecipientStore,
  ServiceStore,
} from '../ports/store.ts';
import { errorHandler, errorPayload } from './errors.ts';
import { customFormats } from './formats.ts';
import { installStorableInputCheck } from './storable-input.ts';
import { installOpenApiConventions } from './openapi-conventions.ts';
import { ErrorBody } from './schemas.ts';
import { servicesRoutes } from './routes/services.ts';
import { recipientsRoutes } from './routes/recipients.ts';
import { notificationsRoutes } from './routes/notifications.ts';
import type { AcceptDeps } from '../app/accept.ts';
import type { BatchDeps } from '../app/accept-batch.ts';
import { outboxRoutes } from './routes/outbox.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import type { Metrics, MetricsExposition } from '../ports/metrics.ts';
import { receiptsRoutes, type ReceiptRoutesDeps } from './routes/receipts.ts';
import { providerCredentialsRoutes } from './routes/provider-credentials.ts';
import type { ProviderCredentialStore } from '../ports/provider-credentials.ts';
import { notificationTypesRoutes } from './routes/notification-types.ts';
import { digestsRoutes } from './routes/digests.ts';
import type { WorkflowStore } from '../ports/workflow-store.ts';
import type { Clock } from '../ports/clock.ts';
import { recipientPreferencesRoutes } from './routes/recipient-preferences.ts';
import { publicPagesRoutes } from './routes/public-pages.ts';
import { topicsRoutes } from './routes/topics.ts';
import { audiencesRoutes } from './routes/audiences.ts';
import type { AudienceStore, NotificationCanceller, TopicStore } from '../ports/audience-store.ts';
import type { Links } from '../app/links.ts';
import type {
  DeviceStore,
  ErasureStore,
  NotificationTypeStore,
  PreferenceStore,
  TemplateStore,
} from '../ports/preferences-store.ts';
import { deliveriesRoutes } from './routes/deliveries.ts';
import { providersRoutes } from './routes/providers.ts';
import { installServiceRateLimit } from './rate-limit.ts';
import type { DeadLetterStore } from '../ports/dead-letters.ts';
import type { ProviderStatusStore } from '../ports/provider-status.ts';
import type { RateLimiter } from '../ports/rate-limit.ts';
import { inboxRoutes, type InboxHttpDeps } from './routes/inbox.ts';
import { inboxStreamRoutes } from './routes/inbox-stream.ts';
import { inboxPreferencesRoutes } from './routes/inbox-preferences.ts';
import { inboxSecretRoutes } from './routes/inbox-secret.ts';
import { widgetRoutes } from './routes/widget.ts';
import { redactUrl } from './inbox-auth.ts';
import type { InboxSecretStore } from '../ports/inbox.ts';
import type { AnalyticsStore } from '../ports/analytics.ts';
import type { OperatorStore } from '../ports/operator.ts';
import type { WebhookEndpointStore } from '../ports/status-webhooks.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { webhookEndpointsRoutes } from './routes/webhook-endpoints.ts';
import { operatorRoutes } from './routes/operator.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { trackingRoutes } from './routes/tracking.ts';
import type { TrackingLinks } from '../app/tracking-links.ts';
import type { LinkHostStore, TrackingStore } from '../ports/tracking.ts';
import { linkHostsRoutes } from './routes/link-hosts.ts';
import { eventsRoutes } from './routes/events.ts';
import { expandOnArrival } from '../app/events.ts';
import { triggersRoutes } from './routes/triggers.ts';
import type { EventStore, TriggerRuleStore } from '../ports/events.ts';

export interface HttpDeps {
  services: ServiceStore;
  keys: ApiKeyStore;
  recipients: RecipientStore;
  notifications: NotificationStore;
  /** Group commit for single accepts; without it each is its own transaction. */
  commit?: AcceptDeps['commit'];
  lookupRecipient?: AcceptDeps['lookupRecipient'];
  /** Reads a batch's recipients at once. */
  recipientsByIds?: BatchDeps['recipientsByIds'];
  outbox: OutboxStore;
  renderer: TemplateRenderer;
  adminToken: string | undefined;
  bodyLimit: number;
  /** See `http` in config.ts: the whole request must arrive within one, nothing may move for the other. */
  timeouts?: { requestTimeoutMs: number; idleTimeoutMs: number } | undefined;
  metrics: Metrics & MetricsExposition;
  /** Bearer token for /metrics besides the admin token; `null`: /metrics is on a port of its own. */
  metricsToken: string | undefined | null;
  ready(): Promise<{ ok: boolean; checks: Record<string, boolean> }>;
  logger: FastifyBaseLogger;
  /** Provider delivery receipts; off when no provider sends any. */
  receipts?: ReceiptRoutesDeps | undefined;
  /** Per-service provider credentials; undefined when HERALD_SECRET_KEY is not set. */
  providerCredentials?: ProviderCredentialStore | undefined;
  /** Why Herald may not call a URL a service gave it (webhook endpoints, Slack base URLs); null if it may. */
  checkUrl(url: string): Promise<string | null>;
  /** The URL fields the operator opened to services' own credentials on provider `name` of `type`. */
  openUrlFields?(name: string, type: string): readonly string[];
  /** Types, templates, devices, preferences and the hosted pages; all or nothing. */
  preferences?: {
    types: NotificationTypeStore;
    templates: TemplateStore;
    devices: DeviceStore;
    preferences: PreferenceStore;
    erasure: ErasureStore;
    links: Links;
  };
  /** The delivery engine's operator API (dead letters, provider health) and per-service limits. */
  engine?: {
    deadLetters: DeadLetterStore;
    providerStatus: ProviderStatusStore;
    providers: { name: string; channel: string }[];
    requestLimiter?: RateLimiter;
  };
  /** Each client address's budget on the pages and redirects a signed token opens (/p, /u, /t). */
  publicLimiter?: RateLimiter | undefined;
  /** Whose X-Forwarded-For gives the client address (Fastify's `trustProxy`); default: nobody's. */
  trustProxy?: boolean | string | undefined;
  /** The in-app inbox's routes, streams and widget; absent, none of them are served. */
  inbox?: InboxHttpDeps & { secrets: InboxSecretStore };
  /** Topics, uploaded audiences and cancelling; broadcasts are off without them. */
  broadcasts?: { topics: TopicStore; audiences: AudienceStore; canceller: NotificationCanceller };
  /** Workflow steps: the timeline on `GET /v1/notifications/{id}` and the digests API. */
  workflows?: { store: WorkflowStore; clock: Clock };
  /** Events in: trigger rules and `POST /v1/events` (needs `preferences` for the types). */
  events?: { rules: TriggerRuleStore; events: EventStore };
  /** Operating Herald: analytics, status webhooks, the operator's lists and the dashboard. */
  operate?: {
    analytics: AnalyticsStore;
    webhookEndpoints: WebhookEndpointStore;
    operator: OperatorStore;
    /** Embedded mode: the dashboard shows the capture outbox. */
    embedded: boolean;
    tracking: { links: TrackingLinks; store: TrackingStore; linkHosts: LinkHostStore };
  };
}

/**
 * The API reference page: Swagger UI's own scripts and styles only (it sets inline styles), no
 * remote images (its default asks validator.swagger.io), no framing (clickjacking a "Try it out"
 * form that holds a key), nowhere to post forms or load plugins.
 */
export const DOCS_CSP =
  "default-src 'self'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

/** Fastify's request log line, with stream tickets cut out of the URL. */
const requestSerializer = (req: {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}) => ({
  method: req.method,
  url: redactUrl(req.url),
  host: req.host,
  remoteAddress: req.ip,
  remotePort: req.socket?.remotePort,
});

export async function buildServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({}, { serializers: { req: requestSerializer } }),
    bodyLimit: deps.bodyLimit,
    // Fastify leaves both off; then a client that sends a byte now and then holds a socket for ever.
    ...(deps.timeouts
      ? {
          requestTimeout: deps.timeouts.requestTimeoutMs,
          connectionTimeout: deps.timeouts.idleTimeoutMs,
          // Given to http.createServer too: Node reads requestTimeout when the server is made (Fastify
          // sets it afterwards, which alone never fires), and checks for overdue requests on this
          // interval (30 s by default), so short timeouts hold.
          http: {
            requestTimeout: deps.timeouts.requestTimeoutMs,
            connectionsCheckingInterval: Math.max(
              100,
              Math.min(30_000, Math.floor(deps.timeouts.requestTimeoutMs / 4)),
            ),
          },
        }
      : {}),
    // Secrets travel in the Authorization header, which pino's default serializer does not log.
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: true },
      // After ajv-formats, so that ours replace its `date-time` with one PostgreSQL can store.
      onCreate(ajv: Ajv) {
        for (const [name, validate] of Object.entries(customFormats))
          ajv.addFormat(name, { type: 'string', validate });
      },
    },
    return503OnClosing: true,
    trustProxy: deps.trustProxy ?? false,
    // Recipient ids may be 256 characters, percent-encoded up to 12 bytes each.
    routerOptions: { maxParamLength: 4096 },
    // Router-level refusals (an over-long path, a bad URL encoding) get the same JSON error shape.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(errorPayload('not_found', `No route ${request.method} ${request.url.split('?')[0]}.`));
  });
  app.addSchema(ErrorBody);
  // No answer is to be read as anything but its declared type: a JSON error echoing input must
  // never be sniffed into HTML or script.
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('x-content-type-options')) void reply.header('x-content-type-options', 'nosniff');
  });
  installStorableInputCheck(app);
  installOpenApiConventions(app);
  if (deps.engine?.requestLimiter) installServiceRateLimit(app, deps.engine.requestLimiter);

  await app.register(swagger, {
    // Shared schemas keep their own names in the document (`Error`, not `def-0`).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: '3.1.0',
      servers: [{ url: '/', description: 'This Herald (the document is served by the API it describes)' }],
      info: {
        title: 'Herald',
        version: '0.1.0',
        license: { name: 'MIT', identifier: 'MIT' },
        description:
          'Notification delivery API. Errors are `{ "error": { "code", "message", "details" } }` with these codes:\n\n' +
          Object.entries(ERROR_CODES)
            .map(([code, { status, meaning }]) => `- \`${code}\` (${status}): ${meaning}`)
            .join('\n'),
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'A service API key, `hk_…`' },
          admin: { type: 'http', scheme: 'bearer', description: 'The admin token (HERALD_ADMIN_TOKEN)' },
          metrics: {
            type: 'http',
            scheme: 'bearer',
            description: 'The metrics token (HERALD_METRICS_TOKEN)',
          },
          recipientJwt: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'HS256 JWT signed with the inbox secret: iss = service id, sub = recipient id, exp',
          },
          streamTicket: {
            type: 'apiKey',
            in: 'query',
            name: 'ticket',
            description: 'A one-use stream ticket from POST /v1/inbox/tickets',
          },
          recipientHmac: {
            type: 'apiKey',
            in: 'header',
            name: 'X-Herald-Recipient-Hmac',
            description:
              'hex HMAC-SHA256(inbox secret, recipient id), with X-Herald-Service and X-Herald-Recipient',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP });

  await app.register(healthRoutes(deps));
  if (deps.metricsToken !== null)
    await app.register(
      metricsRoutes({ metrics: deps.metrics, metricsTokens: [deps.metricsToken, deps.adminToken] }),
    );
  await app.register(servicesRoutes(deps));
  await app.register(recipientsRoutes(deps));
  await app.register(notificationsRoutes({ ...deps, ...deps.preferences, ...deps.broadcasts }));
  if (deps.workflows) await app.register(digestsRoutes({ keys: deps.keys, ...deps.workflows }));
  if (deps.broadcasts) {
    await app.register(topicsRoutes({ keys: deps.keys, topics: deps.broadcasts.topics }));
    await app.register(audiencesRoutes({ keys: deps.keys, audiences: deps.broadcasts.audiences }));
  }
  if (deps.preferences) {
    const p = { ...deps.preferences, keys: deps.keys, services: deps.services, renderer: deps.renderer };
    await app.register(notificationTypesRoutes(p));
    await app.register(recipientPreferencesRoutes(p));
    await app.register(publicPagesRoutes({ ...p, ipLimiter: deps.publicLimiter }));
    if (deps.events) {
      await app.register(triggersRoutes({ ...p, rules: deps.events.rules }));
      // Expanded as they arrive, as the broker sources do: through the cached rules and types.
      const expand = expandOnArrival({
        rules: deps.events.rules,
        types: deps.preferences.types,
        renderer: deps.renderer,
      });
      await app.register(eventsRoutes({ keys: deps.keys, events: deps.events.events, expand }));
    }
  }
  await app.register(outboxRoutes(deps));
  if (deps.receipts) await app.register(receiptsRoutes(deps.receipts));
  await app.register(
    providerCredentialsRoutes({
      keys: deps.keys,
      credentials: deps.providerCredentials,
      checkUrl: (u) => deps.checkUrl(u),
      openUrlFields: (name, type) => deps.openUrlFields?.(name, type) ?? [],
    }),
  );
  if (deps.engine) {
    await app.register(deliveriesRoutes({ keys: deps.keys, deadLetters: deps.engine.deadLetters }));
    await app.register(providersRoutes({ ...deps.engine, keys: deps.keys, adminToken: deps.adminToken }));
  }
  if (deps.inbox) {
    await app.register(websocket, {
      options: { maxPayload: 64 * 1024 },
      // An oversized or malformed frame is the client's doing: ws has sent its close code (1009,
      // 1007, 1002) and the socket goes. Logged as an error, any client could flood the error log.
      errorHandler(err, socket, request) {
        const code = (err as Error & { code?: unknown }).code;
        if (typeof code === 'string' && code.startsWith('WS_ERR_'))
          request.log.info({ err: err.message }, 'inbox stream: bad frame from client');
        else request.log.error({ err }, 'inbox stream failed');
        socket.terminate();
      },
    });
    await app.register(inboxSecretRoutes({ keys: deps.keys, secrets: deps.inbox.secrets }));
    await app.register(inboxRoutes(deps.inbox));
    await app.register(inboxStreamRoutes(deps.inbox));
    if (deps.preferences)
      await app.register(
        inboxPreferencesRoutes({ ...deps.inbox, preferences: deps.preferences.preferences }),
      );
    await app.register(widgetRoutes());
  }
  if (deps.operate) {
    const o = deps.operate;
    await app.register(analyticsRoutes({ keys: deps.keys, analytics: o.analytics }));
    await app.register(
      webhookEndpointsRoutes({
        keys: deps.keys,
        endpoints: o.webhookEndpoints,
        checkUrl: (u) => deps.checkUrl(u),
      }),
    );
    await app.register(
      operatorRoutes({ keys: deps.keys, adminToken: deps.adminToken, operator: o.operator }),
    );
    await app.register(dashboardRoutes({ embedded: o.embedded }));
    await app.register(linkHostsRoutes({ keys: deps.keys, linkHosts: o.tracking.linkHosts }));
    await app.register(
      trackingRoutes({
        ...o.tracking,
        ipLimiter: deps.publicLimiter,
        onError: (err) => app.log.error({ err }, 'recording an open or click failed'),
      }),
    );
  }
  return app;
}
