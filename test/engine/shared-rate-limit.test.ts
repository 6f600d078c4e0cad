/**
 * A provider's rate limit holds across worker processes: two `herald worker` processes share one
 * budget through Redis, and the provider never sees more than its limit in any sliding second.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, eventually, registerService } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig, type HeraldProcess } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';
import { REDIS_URL, skipWithoutRedis } from '../helpers/redis.ts';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../fakes/webhook-receiver.ts';

const LIMIT = 10;
const COUNT = 60;

/** The most arrivals within any window of `ms` (two pointers over sorted times). */
export function maxInWindow(times: number[], ms: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let lo = 0, hi = 0; hi < t.length; hi++) {
    while ((t[hi] as number) - (t[lo] as number) >= ms) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe('provider rate limit shared through Redis', { skip: skipWithoutPg || skipWithoutRedis }, () => {
  let db: TestDatabase;
  let receiver: WebhookReceiver;
  const procs: HeraldProcess[] = [];

  before(async () => {
    db = await freshDatabase();
    receiver = await startWebhookReceiver();
    const provider = `hooks-${randomBytes(4).toString('hex')}`; // its own Redis keys
    const config = writeConfig(tempDir(), {
      // The test's webhook receiver listens on loopback.
      allowPrivateWebhookUrls: true,
      providers: {
        webhook: [
          { name: provider, type: 'webhook', secret: TEST_WEBHOOK_SECRET, rateLimit: { perSecond: LIMIT } },
        ],
      },
      worker: { pollMs: 100, concurrency: 8 },
    });
    const env = {
      DATABASE_URL: db.url,
      HERALD_CONFIG: config,
      HERALD_ADMIN_TOKEN: 'admin-token-0123456789abcdef',
      REDIS_URL,
    };
    procs.push(await startHeraldProcess('api', env));
    procs.push(await startHeraldProcess('worker', env), await startHeraldProcess('worker', env));
  });

  after(async () => {
    for (const p of procs) await p.stop();
    await receiver?.close();
    await db?.drop();
  });

  it(`never lets more than ${LIMIT} requests reach the provider in any second`, async () => {
    const admin = client(procs[0]?.url ?? '', 'admin-token-0123456789abcdef');
    const api = client(procs[0]?.url ?? '', (await registerService(admin)).apiKey);
    for (let i = 0; i < COUNT; i++) {
      const res = await api.post('/v1/notifications', {
        type: 'order_shipped',
        recipient: { id: `r${i}` },
        channels: ['webhook'],
        content: { webhook: { url: receiver.url, payload: { i } } },
      });
      assert.equal(res.status, 202);
    }
    await eventually(async () => receiver.received.size === COUNT, {
      timeoutMs: 60_000,
      what: `${COUNT} webhooks`,
    });
    const peak = maxInWindow(
      receiver.receipts.map((r) => r.at),
      1000,
    );
    assert.ok(peak <= LIMIT, `at most ${LIMIT} in any second, saw ${peak}`);
    assert.equal(receiver.duplicates().extra, 0);
    for (const p of procs) assert.equal(p.child.exitCode, null, 'every process is still running');
  });
});
