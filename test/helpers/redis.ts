/**
 * Redis for tests, like pg.ts: outside CI a missing server skips these tests with the reason;
 * under CI=true it fails them.
 */
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.HERALD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function probe(): Promise<string | null> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    redis.disconnect();
  }
}

const problem = await probe();
if (problem && process.env.CI) {
  throw new Error(`Redis is required under CI but ${REDIS_URL} is not reachable: ${problem}`);
}

/** `false` when tests should run; the skip reason otherwise (never under CI). */
export const skipWithoutRedis: string | false = problem
  ? `Redis not reachable at ${REDIS_URL}: ${problem}`
  : false;

/** How many connections are subscribed to a channel, cluster-wide. */
export async function subscribers(channel: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const [, n] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
    return Number(n);
  } finally {
    redis.disconnect();
  }
}
