/**
 * Rate limiters on `rate-limiter-flexible`: counters in Redis when a client is given, so every worker
 * process draws from one budget, and in process memory otherwise. When Redis fails, a local limiter
 * (the library's insurance limiter) takes over with the same numbers, so a Redis outage slows nobody
 * to zero; the budget is then per process until Redis is back.
 */
import type { Redis } from 'ioredis';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { planSlices, sliceAt, type RateLimitSetting } from '../../domain/rate-slices.ts';
import type { RateLimiter, TakeResult } from '../../ports/rate-limit.ts';

function store(redis: Redis | undefined, keyPrefix: string, points: number, duration: number) {
  const memory = new RateLimiterMemory({ keyPrefix, points, duration });
  if (!redis) return memory;
  return new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration, insuranceLimiter: memory });
}

async function consume(
  limiter: Pick<RateLimiterAbstract, 'consume'>,
  key: string,
): Promise<RateLimiterRes | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection;
    throw rejection;
  }
}

/**
 * One bucket per provider, enforced in slices (domain/rate-slices.ts) so the provider's limit holds
 * in any sliding second. A refused take says how long until the next slice opens.
 */
export function providerRateLimiter(
  redis: Redis | undefined,
  settings: ReadonlyMap<string, RateLimitSetting>,
  now: () => number = Date.now,
): RateLimiter {
  const limiters = new Map<string, { plan: ReturnType<typeof planSlices>; limiter: RateLimiterAbstract }>();
  for (const [provider, setting] of settings) {
    const plan = planSlices(setting);
    // Slice keys live one second past their slice, long enough for any worker still counting in it.
    limiters.set(provider, {
      plan,
      limiter: store(redis, `herald:rl:provider:${provider}`, plan.pointsPerSlice, 2),
    });
  }
  return {
    async take(provider): Promise<TakeResult> {
      const entry = limiters.get(provider);
      if (!entry) return { ok: true };
      const slice = sliceAt(now(), entry.plan);
      const refused = await consume(entry.limiter, String(slice.index));
      return refused ? { ok: false, waitMs: Math.max(1, slice.msToNext) } : { ok: true };
    },
  };
}

/**
 * A fixed-window limit per key: `perSecond` requests in each second, plus (when `burst` is given) up
 * to `burst` more in each 10 seconds, drawn only once the second's budget is spent. Each kind of
 * caller (`scope`: API keys, recipients, client IPs) has its own budgets under its own key prefix.
 */
export function requestRateLimiter(
  redis: Redis | undefined,
  perSecond: number,
  { scope = 'api', burst = 0 }: { scope?: string; burst?: number } = {},
): RateLimiter {
  const prefix = `herald:rl:${scope}`;
  const perSecondLimiter = store(redis, prefix, perSecond, 1);
  const limiter =
    burst > 0
      ? new BurstyRateLimiter(perSecondLimiter, store(redis, `${prefix}:burst`, burst, 10))
      : perSecondLimiter;
  return {
    async take(key): Promise<TakeResult> {
      const refused = await consume(limiter, key);
      return refused ? { ok: false, waitMs: Math.max(1, refused.msBeforeNext) } : { ok: true };
    },
  };
}
