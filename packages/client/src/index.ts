/**
 * @herald/client: Herald's HTTP API, typed from its OpenAPI document (schema.d.ts, generated) and
 * called through openapi-fetch. This layer adds only what the document cannot say: the API key,
 * idempotency keys on sends, retries, paging and errors as exceptions.
 */
import createClient, { type Client } from 'openapi-fetch';
import { HeraldError } from './errors.ts';
import { defaultIdempotent, retryingFetch } from './retry.ts';
import type { operations, paths } from './schema.d.ts';

export { HeraldError } from './errors.ts';
export { retryAfterMs } from './retry.ts';
export type { components, operations, paths } from './schema.d.ts';

type JsonBody<Op> = Op extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type Ok<Op, S extends number> = Op extends {
  responses: { [K in S]: { content: { 'application/json': infer R } } };
}
  ? R
  : never;
type Query<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type SendRequest = JsonBody<operations['postNotifications']>;
export type SendResponse = Ok<operations['postNotifications'], 202>;
export type BatchRequest = JsonBody<operations['postNotificationsBatch']>;
export type BatchResponse = Ok<operations['postNotificationsBatch'], 200>;
export type EventRequest = JsonBody<operations['postEvents']>;
export type EventResponse = Ok<operations['postEvents'], 202>;
export type NotificationSummary = Ok<operations['getNotifications'], 200>['data'][number];
export type Delivery = Ok<operations['getDeliveries'], 200>['data'][number];
export type Trigger = Ok<operations['getTriggers'], 200>['triggers'][number];
export type TopicSubscriber = Ok<operations['getTopicsByKeySubscribers'], 200>['subscribers'][number];
export type WebhookAttempt = Ok<operations['getWebhookEndpointsByIdAttempts'], 200>['data'][number];

export interface HeraldClientOptions {
  /** Where Herald answers, e.g. `http://localhost:8080`. */
  baseUrl: string;
  /** A service API key (`hk_…`). */
  apiKey: string;
  /** How many more times a request refused with 429/503, or lost on the network, is tried. Default 3. */
  retries?: number;
  /** The longest single wait between attempts, in ms. Default 30,000. */
  maxRetryDelayMs?: number;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

/** Calls an openapi-fetch method and returns its data, or throws the HeraldError it answered. */
async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) throw HeraldError.from(response.status, error);
  return data as T;
}

/** Walks a cursor-paged list page by page, yielding its items. */
async function* pages<Page, Item>(
  load: (cursor: string | undefined) => Promise<Page>,
  items: (page: Page) => Item[],
  next: (page: Page) => string | null | undefined,
): AsyncGenerator<Item> {
  let cursor: string | undefined;
  do {
    const page = await load(cursor);
    yield* items(page);
    cursor = next(page) ?? undefined;
  } while (cursor);
}

export interface HeraldClient {
  /** The full API, typed from the OpenAPI document: `api.GET('/v1/notifications/{id}', …)`. */
  api: Client<paths>;
  /** Sends a notification; an idempotency key is made when none is given, so retries never send twice. */
  send(
    body: SendRequest,
    options?: { idempotencyKey?: string },
  ): Promise<SendResponse & { idempotencyKey: string }>;
  /** Sends up to 1,000 notifications in one call; every item without an idempotency key gets one. */
  sendBatch(notifications: BatchRequest['notifications']): Promise<BatchResponse>;
  /** Records an event that triggers notifications (its `id` is its idempotency key). */
  event(body: EventRequest): Promise<EventResponse>;
  /** Every notification the search matches, newest first. */
  notifications(
    query?: Omit<Query<operations['getNotifications']>, 'cursor'>,
  ): AsyncGenerator<NotificationSummary>;
  deliveries(query?: Omit<Query<operations['getDeliveries']>, 'cursor'>): AsyncGenerator<Delivery>;
  triggers(query?: Omit<Query<operations['getTriggers']>, 'cursor'>): AsyncGenerator<Trigger>;
  topicSubscribers(
    key: string,
    query?: Omit<Query<operations['getTopicsByKeySubscribers']>, 'cursor'>,
  ): AsyncGenerator<TopicSubscriber>;
  webhookAttempts(
    endpointId: string,
    query?: Omit<Query<operations['getWebhookEndpointsByIdAttempts']>, 'before'>,
  ): AsyncGenerator<WebhookAttempt>;
}

const newKey = () => globalThis.crypto.randomUUID();

/** Calls that say on their face that sending them twice does nothing twice. */
const replayable = (req: Request) => {
  const path = new URL(req.url).pathname;
  return defaultIdempotent(req) || path.endsWith('/v1/notifications/batch') || path.endsWith('/v1/events');
};

export function createHeraldClient(options: HeraldClientOptions): HeraldClient {
  const retrying = retryingFetch(options.fetch ?? globalThis.fetch, {
    retries: options.retries ?? 3,
    ...(options.maxRetryDelayMs !== undefined ? { maxDelayMs: options.maxRetryDelayMs } : {}),
    idempotent: replayable,
  });
  const api = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${options.apiKey}` },
    fetch: retrying,
  });

  return {
    api,
    async send(body, opts = {}) {
      const idempotencyKey = opts.idempotencyKey ?? body.idempotencyKey ?? newKey();
      const { idempotencyKey: _inBody, ...rest } = body;
      const sent = await unwrap(
        api.POST('/v1/notifications', {
          body: rest,
          params: { header: { 'idempotency-key': idempotencyKey } },
        }),
      );
      return { ...sent, idempotencyKey };
    },
    sendBatch(notifications) {
      const keyed = notifications.map((n) => ({ ...n, idempotencyKey: n.idempotencyKey ?? newKey() }));
      return unwrap(api.POST('/v1/notifications/batch', { body: { notifications: keyed } }));
    },
    event(body) {
      return unwrap(api.POST('/v1/events', { body }));
    },
    notifications(query = {}) {
      return pages(
        (cursor) =>
          unwrap(
            api.GET('/v1/notifications', { params: { query: { ...query, ...(cursor ? { cursor } : {}) } } }),
          ),
        (p) => p.data,
        (p) => p.nextCursor,
      );
    },
    deliveries(query = {}) {
      return pages(
        (cursor) =>
          unwrap(
            api.GET('/v1/deliveries', { params: { query: { ...query, ...(cursor ? { cursor } : {}) } } }),
          ),
        (p) => p.data,
        (p) => p.nextCursor,
      );
    },
    triggers(query = {}) {
      return pages(
        (cursor) =>
          unwrap(api.GET('/v1/triggers', { params: { query: { ...query, ...(cursor ? { cursor } : {}) } } })),
        (p) => p.triggers,
        (p) => p.nextCursor,
      );
    },
    topicSubscribers(key, query = {}) {
      return pages(
        (cursor) =>
          unwrap(
            api.GET('/v1/topics/{key}/subscribers', {
              params: { path: { key }, query: { ...query, ...(cursor ? { cursor } : {}) } },
            }),
          ),
        (p) => p.subscribers,
        (p) => p.nextCursor,
      );
    },
    webhookAttempts(endpointId, query = {}) {
      return pages(
        (before) =>
          unwrap(
            api.GET('/v1/webhook-endpoints/{id}/attempts', {
              params: { path: { id: endpointId }, query: { ...query, ...(before ? { before } : {}) } },
            }),
          ),
        (p) => p.data,
        (p) => p.nextBefore,
      );
    },
  };
}
