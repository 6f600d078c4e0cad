/**
 * The brokers event sources read from: publishers for the shared RabbitMQ, NATS and Redis (each test
 * uses names of its own), private NATS and Redis servers a test may stop and start, and a TCP proxy
 * a test cuts: in front of the shared RabbitMQ to rehearse a RabbitMQ restart, or of PostgreSQL to
 * take the database away from Herald, without touching the shared servers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect, headers as natsHeaders } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { ensureStream } from '../../src/adapters/nats/ensure-stream.ts';

export const RABBIT_URL = process.env.HERALD_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const NATS_URL = process.env.HERALD_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
export const REDIS_URL = process.env.HERALD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const NATS_SERVER_BIN = '/usr/sbin/nats-server';
export const REDIS_SERVER_BIN = '/usr/bin/redis-server';

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

export type Broker = 'rabbitmq' | 'nats' | 'redis';

export interface OutMessage {
  body: string | Buffer;
  headers: Record<string, string>;
}

/** Publishes to one queue / subject / stream; `close` ends its connection. */
export interface Publisher {
  publish(messages: OutMessage[]): Promise<void>;
  close(): Promise<void>;
}

export async function rabbitPublisher(url: string, queue: string): Promise<Publisher> {
  const conn = await amqp.connect(url);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true });
  return {
    async publish(messages) {
      for (const m of messages)
        ch.sendToQueue(queue, Buffer.from(m.body), { headers: m.headers, persistent: true });
      await ch.waitForConfirms();
    },
    async close() {
      await conn.close().catch(() => undefined);
    },
  };
}

export async function natsPublisher(servers: string, stream: string, subject: string): Promise<Publisher> {
  // Each JetStream publish is a request; with async traces on, each builds an Error (a stack trace)
  // and a traced timer, about 25 µs of CPU per message, which the events bench charged to Herald.
  const nc = await natsConnect({ servers, noAsyncTraces: true });
  // The source under test may be making the same stream at this moment.
  await ensureStream(await jetstreamManager(nc), { name: stream, subjects: [subject] });
  const js = jetstream(nc);
  return {
    async publish(messages) {
      await Promise.all(
        messages.map((m) => {
          const h = natsHeaders();
          for (const [k, v] of Object.entries(m.headers)) h.set(k, v);
          return js.publish(subject, typeof m.body === 'string' ? m.body : new Uint8Array(m.body), {
            headers: h,
          });
        }),
      );
    },
    async close() {
      await nc.close();
    },
  };
}

export async function redisPublisher(url: string, stream: string): Promise<Publisher> {
  const redis = new Redis(url);
  return {
    async publish(messages) {
      const p = redis.pipeline();
      for (const m of messages)
        p.xadd(stream, '*', ...Object.entries(m.headers).flat(), 'body', Buffer.from(m.body));
      await p.exec();
    },
    async close() {
      redis.disconnect();
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up on port ${port}`);
}

/** A server of the test's own, keeping its data in a temp folder across `stop()` and `start()`. */
export interface PrivateServer {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function privateServer(
  what: string,
  bin: string,
  args: (port: number, dir: string) => string[],
  scheme: string,
): () => Promise<PrivateServer> {
  return async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), `herald-${what}-`));
    let child: ChildProcess | undefined;
    return {
      url: `${scheme}://127.0.0.1:${port}`,
      async start() {
        child = spawn(bin, args(port, dir), { stdio: 'ignore' });
        await waitForPort(port, what);
      },
      async stop() {
        const c = child;
        if (!c || c.exitCode !== null) return;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await exited;
      },
    };
  };
}

export const privateNats = privateServer(
  'nats',
  NATS_SERVER_BIN,
  (port, dir) => ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir],
  'nats',
);

/** Append-only with fsync on every write: a restart keeps the stream and its consumer group. */
export const privateRedis = privateServer(
  'redis',
  REDIS_SERVER_BIN,
  (port, dir) => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
  ],
  'redis',
);

export const privateServerProblem = (broker: 'nats' | 'redis'): string | null => {
  const bin = broker === 'nats' ? NATS_SERVER_BIN : REDIS_SERVER_BIN;
  return existsSync(bin) ? null : `no ${bin} on this machine`;
};

/**
 * A TCP proxy in front of a server (its URL: amqp, postgres, ...) that a test cuts: `stop()` drops
 * every connection and refuses new ones, `start()` lets them through again. `url` is the target's
 * URL pointed at the proxy.
 */
export async function tcpProxy(target: string): Promise<PrivateServer> {
  const t = new URL(target);
  const defaults: Record<string, number> = { 'amqp:': 5672, 'postgres:': 5432, 'postgresql:': 5432 };
  const upstreamPort = Number(t.port || defaults[t.protocol]);
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    async start() {
      server = createServer((client) => {
        const upstream = createConnection({ host: t.hostname, port: upstreamPort });
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    },
    async stop() {
      const s = server;
      server = undefined;
      for (const sock of sockets) sock.destroy();
      sockets.clear();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}

/** A TCP proxy to the shared RabbitMQ that a test cuts, to rehearse a RabbitMQ restart. */
export const rabbitProxy = (target = RABBIT_URL): Promise<PrivateServer> => tcpProxy(target);

/** What each shared broker needs to be reachable; null when it is. */
export async function brokerProblem(broker: Broker): Promise<string | null> {
  const port = broker === 'rabbitmq' ? 5672 : broker === 'nats' ? 4222 : 6379;
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(null);
    });
    s.once('error', (err) => resolve(`${broker} not reachable on 127.0.0.1:${port}: ${err.message}`));
  });
}
