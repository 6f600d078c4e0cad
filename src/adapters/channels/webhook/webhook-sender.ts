/**
 * The webhook channel: POSTs a JSON payload to the delivery's URL, signed per Standard Webhooks
 * (https://www.standardwebhooks.com): `webhook-id` is the delivery id, stable across retries, so a
 * receiver can drop duplicates; `webhook-signature` is `v1,` + base64 HMAC-SHA256 of
 * `id.timestamp.body` under the secret. Redirects are not followed (a 3xx is a permanent failure):
 * the configured URL is the one that gets the payload. Connections are kept alive (undici Agent).
 *
 * The URL comes from callers (the notification's content or a recipient attribute), so by default it
 * may not reach private, loopback, link-local or metadata addresses: IP literals are checked before
 * sending, and host names at connection time (so a name that re-resolves inward is refused too).
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { lazyAgent } from '../../net/lazy-undici.ts';
import { guardedConnect, refusedSendFailure, refusePrivateLiteral } from '../../net/ssrf-guard.ts';
import type { SendFailure } from '../../../domain/retry-policy.ts';
import { ProviderError, type OutgoingMessage, type Sender } from '../../../ports/sender.ts';

export interface WebhookSettings {
  name: string;
  /** `whsec_` followed by the base64 key. */
  secret: string;
  timeoutMs?: number | undefined;
  now?: () => number;
  /** Let URLs reach private and loopback addresses (config `allowPrivateWebhookUrls`); off by default. */
  allowPrivate?: boolean | undefined;
}

export function signatureKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

/** `key` may be a KeyObject made once (createSecretKey), which spares preparing the key on every send. */
export function sign(key: Buffer | KeyObject, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function classifyStatus(status: number, retryAfterMs: number | undefined): SendFailure | null {
  if (status >= 200 && status < 300) return null;
  const message = `The endpoint answered HTTP ${status}.`;
  if (status === 429) {
    return {
      kind: 'rate_limited',
      code: 'webhook_429',
      message,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  if (status === 408 || status >= 500) return { kind: 'transient', code: `webhook_${status}`, message };
  if (status >= 300 && status < 400) {
    return { kind: 'permanent', code: 'webhook_redirect', message: `${message} Redirects are not followed.` };
  }
  return { kind: 'permanent', code: `webhook_${status}`, message };
}

/** undici's own timeouts, by their codes (see the pool's settings below). */
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Most of an answer read to keep its connection (undici's `dump` default); a longer one closes it. */
const ANSWER_LIMIT = 128 * 1024;

/** A send past its deadline: what it is told when the deadline of its step passes. */
interface Expiring {
  expire(reason: Error): void;
}

/**
 * Deadlines shared by the sends that start within one step of each other: one timer per step, not
 * per send. A send's deadline passes between `timeoutMs` and `timeoutMs + stepMs` after it started.
 * The pool's timeouts alone bound each wait (connect, headers, the gap between body chunks), not
 * their sum: a receiver that drips its body would hold the send for as long as it likes.
 */
function sharedDeadlines(timeoutMs: number): () => Set<Expiring> {
  const stepMs = Math.max(1, Math.min(1000, Math.floor(timeoutMs / 10)));
  let current: { sends: Set<Expiring>; until: number } | undefined;
  return () => {
    const now = performance.now();
    if (current && now < current.until) return current.sends;
    // The sends of the step that are still out when its deadline passes (each leaves once answered).
    const sends = new Set<Expiring>();
    const timer = setTimeout(() => {
      const reason = new DOMException(`No answer within ${timeoutMs} ms.`, 'TimeoutError');
      for (const send of sends) send.expire(reason);
    }, timeoutMs + stepMs);
    timer.unref();
    current = { sends, until: now + stepMs };
    return sends;
  };
}

/**
 * One POST's exchange, as undici's dispatch handler: it keeps the status and Retry-After and reads
 * the rest of the answer only to keep the connection (up to `ANSWER_LIMIT`; past it the connection is
 * closed, and the status stands). Through `request()` each send also made a response stream, a
 * request handler and abort-signal listeners, about half the send's own CPU in the worker's profile.
 */
class Exchange implements Dispatcher.DispatchHandler, Expiring {
  status = 0;
  retryAfter: string | string[] | undefined;
  private bytes = 0;
  private answered = false;
  private controller: Dispatcher.DispatchController | undefined;
  private expired: Error | undefined;
  private readonly deadline: Set<Expiring>;
  private readonly done: (err?: Error) => void;

  constructor(deadline: Set<Expiring>, done: (err?: Error) => void) {
    this.deadline = deadline;
    this.done = done;
    deadline.add(this);
  }

  expire(reason: Error): void {
    this.expired = reason;
    // Not yet started (waiting for a connection of the pool): aborted as soon as it starts.
    this.controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.expired) controller.abort(this.expired);
    else this.controller = controller;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.status = statusCode;
    this.retryAfter = headers['retry-after'];
    if (Number(headers['content-length'] ?? 0) > ANSWER_LIMIT) this.enough(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > ANSWER_LIMIT) this.enough(controller);
  }

  onResponseEnd(): void {
    this.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    // An answer cut short on purpose (too long to read) still counts by its status.
    this.finish(this.answered && !this.expired ? undefined : err);
  }

  /** The status is known and the rest is too long to read: the connection is closed instead. */
  private enough(controller: Dispatcher.DispatchController): void {
    this.answered = true;
    controller.abort(new Error('answer too long to read'));
  }

  private finish(err?: Error): void {
    this.deadline.delete(this);
    this.done(err);
  }
}

export function createWebhookSender(s: WebhookSettings): Sender<'webhook'> {
  const key = createSecretKey(signatureKey(s.secret));
  const timeoutMs = s.timeoutMs ?? 15_000;
  const now = s.now ?? Date.now;
  const allowPrivate = s.allowPrivate ?? false;
  // The timeout is the pool's (wait for the answer's headers, then for its body) and a deadline
  // shared by the sends of each step (`sharedDeadlines`), not a timer and an AbortSignal made per
  // request: at thousands of sends a second those were a visible share of a send's CPU and lived on
  // for the whole timeout after each answer.
  const deadline = sharedDeadlines(timeoutMs);
  const agent = lazyAgent(() => ({
    keepAliveTimeout: 30_000,
    connections: 256,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 10_000),
    ...guardedConnect(allowPrivate),
  }));
  // Made on the first send; afterwards a send does not wait for it again.
  let dispatcher: Dispatcher | undefined;
  const loadDispatcher = async () => (dispatcher ??= await agent.get());
  // A lane sends to few URLs, mostly one after another to the same: the last one parsed is kept.
  let lastTo = '';
  let last: { url: URL; origin: string; path: string } | undefined;
  return {
    name: s.name,
    channel: 'webhook',
    async send(m: OutgoingMessage<'webhook'>) {
      let target: { url: URL; origin: string; path: string };
      try {
        if (m.to === lastTo && last) target = last;
        else {
          const url = new URL(m.to);
          if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
          target = { url, origin: url.origin, path: `${url.pathname}${url.search}` };
        }
        lastTo = m.to;
        last = target;
      } catch {
        throw new ProviderError({
          kind: 'permanent',
          code: 'invalid_address',
          message: `'${m.to}' is not an http(s) URL.`,
        });
      }
      const sentAt = now();
      const timestamp = Math.floor(sentAt / 1000);
      const body = JSON.stringify({
        type: 'notification',
        timestamp: new Date(sentAt).toISOString(),
        notificationId: m.notificationId,
        deliveryId: m.deliveryId,
        data: m.content.payload ?? {},
      });
      let exchange: Exchange | undefined;
      try {
        if (!allowPrivate) refusePrivateLiteral(target.url);
        const pool = dispatcher ?? (await loadDispatcher());
        await new Promise<void>((resolve, reject) => {
          exchange = new Exchange(deadline(), (err) => (err === undefined ? resolve() : reject(err)));
          pool.dispatch(
            {
              origin: target.origin,
              path: target.path,
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'user-agent': 'Herald',
                'webhook-id': m.deliveryId,
                'webhook-timestamp': String(timestamp),
                'webhook-signature': sign(key, m.deliveryId, timestamp, body),
              },
              body,
            },
            exchange,
          );
        });
      } catch (err) {
        const refused = refusedSendFailure(err);
        if (refused) throw new ProviderError(refused, err);
        const timedOut =
          TIMEOUTS.has((err as { code?: string }).code ?? '') || (err as Error).name === 'TimeoutError';
        throw new ProviderError(
          {
            kind: 'transient',
            code: timedOut ? 'webhook_timeout' : 'webhook_connection',
            message: timedOut ? `No answer within ${timeoutMs} ms.` : (err as Error).message,
          },
          err,
        );
      }
      const { status, retryAfter } = exchange as Exchange;
      const failure = classifyStatus(status, parseRetryAfter(retryAfter, now()));
      if (failure) throw new ProviderError(failure);
      return { providerMessageId: null };
    },
    async close() {
      await agent.close();
    },
  };
}
