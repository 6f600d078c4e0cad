/**
 * A fetch that retries what is safe to retry: 429 and 503 answers, after the `Retry-After` the server
 * gave (or an exponential backoff with jitter when it gave none), and network errors when the request
 * is idempotent (a GET or DELETE, or a request carrying an idempotency key). At most `retries` more
 * attempts, and no single wait longer than `maxDelayMs`.
 */
export interface RetryOptions {
  retries: number;
  /** The first backoff, doubled on each attempt. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Whether a request may be sent again after a network error (the server may have acted on it). */
  idempotent?: (req: Request) => boolean;
  /** For tests: how to wait. */
  sleep?: (ms: number) => Promise<void>;
}

const RETRIED_STATUS = new Set([429, 503]);

/** `Retry-After` as seconds or an HTTP date, in milliseconds; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function backoffMs(attempt: number, base: number, max: number): number {
  const ceiling = Math.min(max, base * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/** Safe methods, and requests that carry an idempotency key. */
export const defaultIdempotent = (req: Request) =>
  SAFE_METHODS.has(req.method) || req.headers.has('idempotency-key');

export function retryingFetch(
  inner: typeof fetch,
  options: RetryOptions,
): (req: Request) => Promise<Response> {
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 30_000;
  const idempotent = options.idempotent ?? defaultIdempotent;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async (request: Request) => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= options.retries;
      // Each attempt sends a fresh copy: a body can be read only once.
      const req = last ? request : request.clone();
      let res: Response;
      try {
        res = await inner(req);
      } catch (err) {
        if (last || request.signal.aborted || !idempotent(request)) throw err;
        await sleep(backoffMs(attempt, base, max));
        continue;
      }
      if (last || !RETRIED_STATUS.has(res.status)) return res;
      const wait = retryAfterMs(res.headers.get('retry-after')) ?? backoffMs(attempt, base, max);
      await res.body?.cancel();
      await sleep(Math.min(wait, max));
    }
  };
}
