/**
 * The contract of the rate limiters (ports/rate-limit.ts `RateLimiter`), run by both stores: process
 * memory and Redis. The request limiter (API keys, recipients, client IPs) gives `perSecond` tokens a
 * key, then `burst` more, then refuses with how long to wait; keys do not share. The provider limiter
 * gives a slice's points (domain/rate-slices.ts) and refuses until the next slice. Only Redis shares a
 * budget between processes. Every run uses key prefixes of its own on the shared Redis.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { providerRateLimiter, requestRateLimiter } from '../../src/adapters/ratelimit/flexible-limiters.ts';
import { planSlices } from '../../src/domain/rate-slices.ts';
import type { RateLimiter } from '../../src/ports/rate-limit.ts';
import { REDIS_URL, skipWithoutRedis } from '../helpers/redis.ts';

async function takeUntilRefused(limiter: RateLimiter, key: string, max = 1000) {
  for (let n = 0; n < max; n += 1) {
    const r = await limiter.take(key);
    if (!r.ok) return { granted: n, waitMs: r.waitMs };
  }
  return assert.fail(`never refused in ${max} takes`);
}

function rateLimiterContract(
  name: string,
  store: () => Redis | undefined,
  /** Whether two limiters on the store draw from one budget (false: a reason why not). */
  shared: true | string,
  skip: string | false,
): void {
  describe(`rate limiter contract: ${name}`, { skip, timeout: 60_000 }, () => {
    let redis: Redis | undefined;
    before(() => {
      redis = store();
    });
    after(() => {
      redis?.disconnect();
    });
    const scope = () => `contract-${randomUUID()}`;

    it('request limiter: perSecond tokens a key, then a refusal that says how long to wait', async () => {
      const limiter = requestRateLimiter(redis, 5, { scope: scope() });
      const { granted, waitMs } = await takeUntilRefused(limiter, 'key-a');
      // The window may roll over during the takes, so at least a full second's budget is granted.
      assert.ok(granted >= 5, `granted ${granted}`);
      assert.ok(waitMs > 0 && waitMs <= 1000, `waitMs ${waitMs}`);
    });

    it('request limiter: keys do not share a budget', async () => {
      const limiter = requestRateLimiter(redis, 3, { scope: scope() });
      await takeUntilRefused(limiter, 'key-a');
      assert.deepEqual(await limiter.take('key-b'), { ok: true });
    });

    it('request limiter: the burst is drawn once the second’s budget is spent, then refused', async () => {
      const limiter = requestRateLimiter(redis, 2, { scope: scope(), burst: 6 });
      const { granted, waitMs } = await takeUntilRefused(limiter, 'key-a');
      assert.ok(granted >= 8, `granted ${granted}: perSecond 2 plus burst 6`);
      // Bursts are counted over 10 seconds, so the wait may be up to the end of that window.
      assert.ok(waitMs > 0 && waitMs <= 10_000, `waitMs ${waitMs}`);
    });

    it('request limiter: grants again once the wait is over', async () => {
      const limiter = requestRateLimiter(redis, 2, { scope: scope() });
      const { waitMs } = await takeUntilRefused(limiter, 'key-a');
      await new Promise((r) => setTimeout(r, waitMs + 50));
      assert.deepEqual(await limiter.take('key-a'), { ok: true });
    });

    it('provider limiter: a slice’s points, then a refusal until the next slice', async () => {
      const setting = { perSecond: 10, utilization: 0.8 };
      const plan = planSlices(setting);
      // A clock stopped 1 ms into a slice: every take falls in the same slice.
      const at = Math.floor(Date.now() / plan.sliceMs) * plan.sliceMs + 1;
      const provider = scope();
      const limiter = providerRateLimiter(redis, new Map([[provider, setting]]), () => at);
      const { granted, waitMs } = await takeUntilRefused(limiter, provider);
      assert.equal(granted, plan.pointsPerSlice);
      assert.equal(waitMs, plan.sliceMs - 1);
      assert.deepEqual(await limiter.take('a-provider-without-a-limit'), { ok: true });
    });

    if (shared === true) {
      it('two limiters on the same store share one budget (two processes)', async () => {
        const setting = { perSecond: 10, utilization: 0.8 };
        const plan = planSlices(setting);
        const at = Math.floor(Date.now() / plan.sliceMs) * plan.sliceMs + 1;
        const provider = scope();
        const one = providerRateLimiter(redis, new Map([[provider, setting]]), () => at);
        const two = providerRateLimiter(redis, new Map([[provider, setting]]), () => at);
        let granted = 0;
        for (let i = 0; i < plan.pointsPerSlice * 2; i += 1)
          if ((await (i % 2 ? one : two).take(provider)).ok) granted += 1;
        assert.equal(granted, plan.pointsPerSlice, 'the slice’s points, between both');
      });
    } else {
      it(
        'two limiters on the same store share one budget (two processes)',
        { skip: shared },
        () => undefined,
      );
    }
  });
}

rateLimiterContract(
  'memory',
  () => undefined,
  'process memory is one process’s by design: each process keeps its own budget',
  false,
);

rateLimiterContract('Redis', () => new Redis(REDIS_URL, { maxRetriesPerRequest: 2 }), true, skipWithoutRedis);
