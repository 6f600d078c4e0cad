/** Outgoing status webhooks: services' endpoints, the outbox of events to post, and the poster. */

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookAttemptLog {
  id: string;
  eventId: string;
  eventType: string;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  messageStatus: string;
}

export interface WebhookEndpointStore {
  create(
    serviceId: string,
    e: { id: string; url: string; description: string; events: string[]; secret: string },
  ): Promise<WebhookEndpoint>;
  list(serviceId: string): Promise<WebhookEndpoint[]>;
  get(serviceId: string, id: string): Promise<WebhookEndpoint | null>;
  /** Re-enabling also puts back the messages given up while the endpoint was failing. */
  update(
    serviceId: string,
    id: string,
    patch: { url?: string; description?: string; events?: string[]; enabled?: boolean },
  ): Promise<WebhookEndpoint | null>;
  remove(serviceId: string, id: string): Promise<boolean>;
  /** The endpoint's delivery log, newest first, before attempt id `before`. */
  attempts(serviceId: string, id: string, before: string | null, limit: number): Promise<WebhookAttemptLog[]>;
}

export interface ClaimedWebhook {
  id: string;
  eventId: string;
  endpointId: string;
  serviceId: string;
  url: string;
  /** Null when the stored secret is sealed under a key this process does not have. */
  secret: string | null;
  payload: unknown;
  attempts: number;
  createdAt: Date;
}

/** How the status-webhook claim shares the queue between services. */
export interface WebhookFairness {
  /** Service id → weight (1 when unset): the same weights the delivery lanes share by. */
  weights?: Readonly<Record<string, number>>;
  /** Messages one service may have claimed at once, across every worker, per unit of weight. */
  perService?: number;
}

export interface WebhookOutbox {
  /** Claims due messages, sharing `limit` between services by weight and capping each (see the adapter). */
  claim(owner: string, limit: number, leaseMs: number, fair?: WebhookFairness): Promise<ClaimedWebhook[]>;
  /** Records the attempt and the message's next state; `retryInMs` null gives it up and disables the endpoint. */
  settle(
    m: ClaimedWebhook,
    owner: string,
    attempt: { startedAt: Date; durationMs: number; statusCode: number | null; error: string | null },
    next: { ok: true } | { ok: false; retryInMs: number | null },
  ): Promise<void>;
  release(ids: string[], owner: string): Promise<void>;
  /** Messages whose worker died go back to pending. */
  reclaimExpired(): Promise<number>;
  /** Forgets delivered messages (and their attempts) older than `olderThanMs`; returns how many. */
  prune(olderThanMs: number): Promise<number>;
}

/** The result of posting one status event: the endpoint's HTTP status, or why there was none. */
export interface PostResult {
  statusCode: number | null;
  error: string | null;
}

/** Posts one status event to a service's endpoint, signed with the endpoint's secret. */
export interface StatusWebhookPoster {
  post(m: { url: string; secret: string; eventId: string; payload: unknown }): Promise<PostResult>;
  close(): Promise<void>;
}
