/**
 * Per-API-key request limits. The check runs after a route's own authentication (it is appended to
 * every route's preHandlers), so only a caller that proved its key spends that key's budget, and
 * a stranger cannot throttle someone else's key by guessing its public id.
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { parseApiKey } from '../domain/api-keys.ts';
import { rateLimited } from '../domain/errors.ts';
import type { RateLimiter } from '../ports/rate-limit.ts';
import { bearer } from './auth.ts';

export function installKeyRateLimit(app: FastifyInstance, limiter: RateLimiter): void {
  const check: preHandlerAsyncHookHandler = async (request: FastifyRequest) => {
    if (!request.serviceId) return; // not a service-authenticated route
    const token = bearer(request);
    const key = (token && parseApiKey(token)?.publicId) ?? request.serviceId;
    const taken = await limiter.take(key);
    if (!taken.ok) throw rateLimited(Math.max(1, Math.ceil(taken.waitMs / 1000)));
  };
  app.addHook('onRoute', (route) => {
    const existing = route.preHandler;
    route.preHandler = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), check];
  });
}
