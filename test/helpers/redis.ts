/**
 * Redis for tests, on the shared local server. Outside CI a missing server skips these tests with the
 * reason; under CI=true it fails them. Each test gets its own key space by flushing nothing shared:
 * Herald's keys are per provider name, so tests use unique provider names.
 */
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.HERALD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function probe(): Promise<string | null> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0 });
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
