/**
 * Request budgets, one per kind of caller, each checked only once the caller is known:
 * - a service's, after the route's own authentication (appended to every route's onRequest hooks,
 *   so before the body is read or validated), so only a caller that proved its key spends its
 *   service's budget, and a stranger cannot throttle a service by guessing a key's public id. The
 *   budget is the service's, not the key's: every key a service mints draws from the same one, so
 *   minting keys buys no capacity at other services' expense;
 * - an inbox recipient's (service + recipient id), after the recipient's HMAC, JWT or ticket checked
 *   out, for the same reason;
 * - a client IP's, on the pages a signed token opens (there is no one else to count).
 */
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { rateLimited } from '../domain/errors.ts';
import type { RecipientRef } from '../ports/inbox.ts';
import type { RateLimiter, TakeResult } from '../ports/rate-limit.ts';

async function spend(limiter: RateLimiter, key: string): Promise<void> {
  const taken: TakeResult = await limiter.take(key);
  if (!taken.ok) throw rateLimited(Math.max(1, Math.ceil(taken.waitMs / 1000)));
}

export function installServiceRateLimit(app: FastifyInstance, limiter: RateLimiter): void {
  const check: onRequestAsyncHookHandler = async (request: FastifyRequest) => {
    if (!request.serviceId) return; // not a service-authenticated route
    await spend(limiter, request.serviceId);
  };
  // A route's own onRequest hooks run after its plugins' (where authentication sits), so this is last.
  app.addHook('onRoute', (route) => {
    const existing = route.onRequest;
    route.onRequest = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), check];
  });
}

/** Spends one request of an authenticated recipient's budget, or throws 429 `rate_limited`. */
export async function spendRecipientBudget(limiter: RateLimiter | undefined, r: RecipientRef): Promise<void> {
  // Service ids are UUIDs, so the first ':' ends it whatever the recipient id holds.
  if (limiter) await spend(limiter, `${r.serviceId}:${r.recipientId}`);
}

/** An onRequest hook spending the client IP's budget (request.ip honours `trustProxy`). */
export function clientIpRateLimit(limiter: RateLimiter) {
  return async (request: FastifyRequest): Promise<void> => spend(limiter, request.ip);
}
