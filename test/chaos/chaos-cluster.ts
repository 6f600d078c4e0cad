/**
 * The cluster a chaos run abuses: a private PostgreSQL and Redis, two `herald api` and two
 * `herald worker` processes on them, each restartable on the same port after a SIGKILL, plus the
 * flaky providers (a webhook receiver and an SMTP server that refuse a share of requests).
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { client, eventually } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig, type HeraldProcess } from '../helpers/herald-process.ts';
import { startPgCluster, type PgCluster } from '../helpers/pg-cluster.ts';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis-server.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../fakes/webhook-receiver.ts';

/** One query on a connection of its own: the cluster's database may have restarted meanwhile. */
export async function query<T extends pg.QueryResultRow>(url: string, text: string, values?: unknown[]) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

export const ADMIN = 'chaos-admin-token-0123456789';

export interface Member {
  name: string;
  role: 'api' | 'worker';
  proc: HeraldProcess | undefined;
  /** The worker's lease owner id (workers only), read from its start log. */
  owner: string | undefined;
  port: number;
}

export interface ChaosCluster {
  pg: PgCluster;
  redis: PrivateRedis;
  receiver: WebhookReceiver;
  smtp: TestSmtp;
  members: Member[];
  apiUrls(): string[];
  /** Starts (again) a member, retrying while the database is away; resolves when it is ready. */
  start(m: Member): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startChaosCluster(opts: { failRate: number; delayMs: number }): Promise<ChaosCluster> {
  const pg = await startPgCluster();
  const redis = await startPrivateRedis();
  const receiver = await startWebhookReceiver({
    mode: { kind: 'flaky', failRate: opts.failRate, delayMs: opts.delayMs },
  });
  const smtp = await startSmtp({ kind: 'flaky', failRate: opts.failRate, delayMs: opts.delayMs });
  const env = {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    HERALD_ADMIN_TOKEN: ADMIN,
    HERALD_SMTP_URL: smtp.url,
    HERALD_CONFIG: writeConfig(tempDir('herald-chaos-'), {
      allowPrivateWebhookUrls: true,
      providers: {
        webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET, timeoutMs: 5000 }],
      },
      retry: { default: { maxAttempts: 20, baseDelayMs: 200, maxDelayMs: 5000 } },
      worker: { pollMs: 250, concurrency: 16 },
      apiRateLimit: { perSecond: 100_000 },
    }),
  };
  const members: Member[] = [];
  for (const [name, role] of [
    ['api-1', 'api'],
    ['api-2', 'api'],
    ['worker-1', 'worker'],
    ['worker-2', 'worker'],
  ] as const) {
    members.push({ name, role, proc: undefined, owner: undefined, port: await freePort() });
  }

  const cluster: ChaosCluster = {
    pg,
    redis,
    receiver,
    smtp,
    members,
    apiUrls: () => members.filter((m) => m.role === 'api').map((m) => `http://127.0.0.1:${m.port}`),
    async start(m) {
      for (;;) {
        try {
          m.proc = await startHeraldProcess(m.role, { ...env, HERALD_PORT: String(m.port) });
          break;
        } catch {
          // The database may be restarting: a process that cannot migrate exits; try again.
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      if (m.role === 'worker') {
        const line = await m.proc.waitForLog(/"owner":"[^"]+"[^\n]*"msg":"worker started"/);
        m.owner = /"owner":"([^"]+)"/.exec(line)?.[1];
      }
    },
    async close() {
      for (const m of members) await m.proc?.stop('SIGKILL').catch(() => undefined);
      await receiver.close();
      await smtp.close();
      await redis.stop();
      await pg.destroy();
    },
  };
  for (const m of members) await cluster.start(m);
  await eventually(async () => (await client(cluster.apiUrls()[0] ?? '').get('/readyz')).status === 200, {
    what: 'the API to be ready',
  });
  return cluster;
}
