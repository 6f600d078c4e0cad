/**
 * A private redis-server on a port of its own, that a test may stop and start again: outages are
 * never rehearsed on the shared Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export const REDIS_SERVER_BIN = process.env.HERALD_TEST_REDIS_SERVER ?? '/usr/bin/redis-server';

/** Why this machine cannot run a private Redis, or null when it can. */
export function redisServerProblem(): string | null {
  return existsSync(REDIS_SERVER_BIN) ? null : `no redis-server at ${REDIS_SERVER_BIN}`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface PrivateRedis {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const redis: PrivateRedis = {
    url,
    async start() {
      child = spawn(
        REDIS_SERVER_BIN,
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      for (let i = 0; i < 100; i++) {
        const probe = new Redis(url, {
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        probe.on('error', () => undefined);
        const up = await probe.connect().then(
          () => probe.ping().then(() => true),
          () => false,
        );
        probe.disconnect();
        if (up) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`redis-server did not come up on port ${port}`);
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
  };
  await redis.start();
  return redis;
}
