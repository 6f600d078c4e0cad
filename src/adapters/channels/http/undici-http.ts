/**
 * The HTTP plumbing every HTTP provider shares: one keep-alive connection pool per provider, a hard
 * timeout per request, and the two answers every classifier needs (Retry-After, network faults).
 */
import { lazyAgent, undici } from '../../net/lazy-undici.ts';
import type { SendFailure } from '../../../domain/retry-policy.ts';
import { guardedConnect, refusedSendFailure, refusePrivateLiteral } from '../../net/ssrf-guard.ts';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface HttpClient {
  send(req: {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  }): Promise<HttpAnswer>;
  close(): Promise<void>;
}

/**
 * Keep-alive pool; `timeoutMs` bounds both the wait for headers and for the body. With
 * `refusePrivate`, for URLs a user chose, no request reaches a private address (net/ssrf-guard.ts):
 * such a send fails with `PrivateAddressError`, which `classifyNetworkError` makes permanent.
 */
export function createHttpClient(o: {
  timeoutMs?: number | undefined;
  connections?: number | undefined;
  refusePrivate?: boolean | undefined;
}): HttpClient {
  const timeout = o.timeoutMs ?? 15_000;
  const refusePrivate = o.refusePrivate ?? false;
  const agent = lazyAgent(() => ({
    keepAliveTimeout: 30_000,
    connections: o.connections ?? 32,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connectTimeout: Math.min(timeout, 10_000),
    ...guardedConnect(!refusePrivate),
  }));
  return {
    async send(r) {
      if (refusePrivate) refusePrivateLiteral(new URL(r.url));
      // undici's request never follows redirects: a provider that redirects a send is misconfigured.
      const { request } = await undici();
      const res = await request(r.url, {
        method: (r.method ?? 'POST') as 'POST',
        headers: r.headers ?? {},
        body: r.body ?? null,
        dispatcher: await agent.get(),
        signal: AbortSignal.timeout(timeout),
      });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      }
      return { status: res.statusCode, headers, text: await res.body.text() };
    },
    async close() {
      await agent.close();
    },
  };
}

/** Retry-After in milliseconds, from delta-seconds or an HTTP date; undefined when absent or unusable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Faults before any HTTP answer: the provider may or may not have the message, so retry — except a
 * send the SSRF guard refused, which never left and never will.
 */
const UNDICI_TIMEOUTS = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function classifyNetworkError(err: unknown, provider: string): SendFailure {
  const refused = refusedSendFailure(err);
  if (refused) return refused;
  const e = err as { name?: string; code?: string; message?: string };
  const message = e?.message ?? String(err);
  if (
    // undici's timeouts, by their codes (undici itself is loaded only once something is sent).
    UNDICI_TIMEOUTS.has(e?.code ?? '') ||
    e?.name === 'TimeoutError' ||
    e?.name === 'AbortError'
  ) {
    return { kind: 'transient', code: 'timeout', message: `${provider} did not answer in time: ${message}` };
  }
  return {
    kind: 'transient',
    code: 'network_error',
    message: `${provider} unreachable: ${e?.code ?? message}`,
  };
}

/** A provider error found in that provider's table: its class, with Retry-After unless permanent. */
export type KnownError = { kind: SendFailure['kind']; code: string };

/** The provider's own error code when its table knows it, else the usual meaning of the HTTP status. */
export function classifyKnownOrStatus(
  known: KnownError | undefined,
  status: number,
  provider: string,
  message: string,
  retryAfter: string | undefined,
): SendFailure {
  if (!known) return classifyHttpStatus(status, provider, message, retryAfter);
  const ms = parseRetryAfter(retryAfter);
  return {
    ...known,
    message,
    ...(known.kind !== 'permanent' && ms !== undefined ? { retryAfterMs: ms } : {}),
  };
}

/** The usual meaning of an HTTP status when a provider gives nothing more specific. */
export function classifyHttpStatus(
  status: number,
  provider: string,
  message: string,
  retryAfter: string | undefined,
): SendFailure {
  const code = `${provider}_http_${status}`;
  if (status === 429) {
    const ms = parseRetryAfter(retryAfter);
    return {
      kind: 'rate_limited',
      code: 'rate_limited',
      message,
      ...(ms !== undefined ? { retryAfterMs: ms } : {}),
    };
  }
  if (status === 401 || status === 403) return { kind: 'transient', code: 'auth_failed', message };
  if (status === 408 || status >= 500) {
    const ms = parseRetryAfter(retryAfter);
    return { kind: 'transient', code, message, ...(ms !== undefined ? { retryAfterMs: ms } : {}) };
  }
  return { kind: 'permanent', code, message };
}
