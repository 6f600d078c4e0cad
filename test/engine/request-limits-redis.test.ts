/**
 * Request budgets through Redis: two API processes (two limiters on one Redis) draw from one budget
 * per key, a recipient's burst included, and each scope (services, recipients, addresses) keeps its own.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { requestRateLimiter } from '../../src/adapters/ratelimit/flexible-limiters.ts';
import { REDIS_URL, skipWithoutRedis } from '../helpers/redis.ts';

describe('request limits shared through Redis', { skip: skipWithoutRedis }, () => {
  let redis: Redis;
  const run = randomBytes(4).toString('hex'); // this run's own Redis keys

  before(async () => {
    redis = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    await new Promise((resolve) => redis.once('ready', resolve));
  });
  after(() => redis?.disconnect());

  it('shares one recipient budget, burst included, between processes', async () => {
    const scope = `recipient-${run}`;
    const one = requestRateLimiter(redis, 1, { scope, burst: 2 });
    const two = requestRateLimiter(redis, 1, { scope, burst: 2 });
    const key = 'svc:ann';
    const taken = [await one.take(key), await two.take(key), await one.take(key), await two.take(key)];
    // 1 per second + 2 burst: three fit whichever process asks; the fourth is refused with a wait.
    assert.deepEqual(
      taken.map((t) => t.ok),
      [true, true, true, false],
    );
    const refused = taken[3];
    assert.ok(refused && !refused.ok && refused.waitMs > 0, 'the refusal says how long to wait');
    assert.equal((await one.take('svc:bob')).ok, true, 'another recipient has its own budget');
    const ip = requestRateLimiter(redis, 1, { scope: `ip-${run}` });
    assert.equal((await ip.take(key)).ok, true, 'another scope has its own budget');
  });
});
