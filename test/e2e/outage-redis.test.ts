/**
 * Redis gone under a server-mode cluster (a private redis-server, never the shared one): per-key
 * rate limits fall back to a limiter in each process with the same numbers (429 with Retry-After,
 * never a 500 or a hang), the inbox bus fails its publishes at once and says so in the log while
 * the in-app delivery itself succeeds (the item is in PostgreSQL), and all of it comes back when
 * Redis does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig, type HeraldProcess } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';
import { redisServerProblem, startPrivateRedis, type PrivateRedis } from '../helpers/redis-server.ts';

const ADMIN = 'test-admin-token-0123456789';
const skip = skipWithoutPg || redisServerProblem() || false;

describe('Redis outage', { skip }, () => {
  let database: TestDatabase;
  let redis: PrivateRedis;
  let apiProc: HeraldProcess;
  let workerProc: HeraldProcess;
  let api: Client;
  let apiKey: string;

  before(async () => {
    database = await freshDatabase();
    redis = await startPrivateRedis();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      HERALD_ADMIN_TOKEN: ADMIN,
      HERALD_CONFIG: writeConfig(tempDir(), { apiRateLimit: { perSecond: 5 }, worker: { pollMs: 200 } }),
    };
    apiProc = await startHeraldProcess('api', env);
    workerProc = await startHeraldProcess('worker', env);
    apiKey = (await registerService(client(apiProc.url, ADMIN))).apiKey;
    api = client(apiProc.url, apiKey);
  });

  after(async () => {
    await workerProc?.stop();
    await apiProc?.stop();
    await redis?.stop();
    await database?.drop();
  });

  const inApp = (i: number) => ({
    type: 'order_shipped',
    recipient: { id: `r${i}` },
    channels: ['in_app'],
    content: { in_app: { title: `item ${i}`, body: 'b' } },
  });

  it('keeps limits per process, delivers in-app, and logs the bus failures', async () => {
    await redis.stop();
    const answers = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        fetch(`${apiProc.url}/v1/notifications`, {
          method: 'POST',
          signal: AbortSignal.timeout(15_000),
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(inApp(i)),
        }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 202 || s === 429),
      `only accepted or rate limited: ${statuses.join(',')}`,
    );
    assert.ok(statuses.includes(429), 'the limit still holds, in this process');
    for (const r of answers.filter((a) => a.status === 429)) {
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'rate_limited');
    }
    const accepted = await Promise.all(
      answers.filter((a) => a.status === 202).map(async (a) => ((await a.json()) as { id: string }).id),
    );
    for (const id of accepted) {
      const n = await waitForNotification(api, id);
      assert.equal(n.deliveries[0].status, 'sent');
    }
    await workerProc.waitForLog(/inbox bus publish/);

    await redis.start();
    // Back: a request and an in-app delivery go through with Redis in the loop again.
    await new Promise((r) => setTimeout(r, 1500));
    const res = await api.post('/v1/notifications', inApp(99));
    assert.equal(res.status, 202);
    assert.equal((await waitForNotification(api, res.body.id)).deliveries[0].status, 'sent');
    assert.doesNotMatch(apiProc.output() + workerProc.output(), /internal_error|"statusCode":500/);
  });
});
