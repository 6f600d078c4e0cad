/**
 * The API request limit is a service's, not a key's: every key a service mints draws from one budget
 * (in process memory, and through Redis when it is configured), and another service keeps its own.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { client, type Client } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';
import { REDIS_URL, skipWithoutRedis } from '../helpers/redis.ts';

const PER_SECOND = 5;

/**
 * One key spends the service's whole budget, then a second key of the same service asks, then another
 * service. The budget is a window of one second starting at the first request, so a round counts only
 * if it finished within a second of starting (else the window may have turned over); on a busy
 * machine a slow round is tried again after the window has surely ended.
 */
async function oneBudgetPerService(herald: InProcess): Promise<void> {
  const owner = await herald.service('Minter');
  const other = await herald.service('Bystander');
  const created = await owner.post<{ apiKey: string }>('/v1/api-keys', { label: 'second' });
  assert.equal(created.status, 201);
  const second: Client = client(herald.herald.url ?? '', created.body.apiKey);
  const ask = (c: Client) => c.get(`/v1/notifications/${randomUUID()}`);
  for (let round = 0; round < 5; round++) {
    await sleep(1100); // whatever came before (the key's creation, a slow round) is in a past window
    const started = performance.now();
    const burst = await Promise.all(Array.from({ length: PER_SECOND }, () => ask(owner)));
    const fromSecondKey = await ask(second);
    const fromOtherService = await ask(other);
    if (performance.now() - started >= 1000) continue;
    assert.deepEqual(
      burst.map((r) => r.status),
      burst.map(() => 404),
      'the first key spends the budget and no more',
    );
    assert.equal(fromSecondKey.status, 429, "the service's second key finds the budget spent");
    assert.equal(fromSecondKey.body.error.code, 'rate_limited');
    assert.ok(Number(fromSecondKey.headers.get('retry-after')) >= 1);
    assert.equal(fromOtherService.status, 404, 'another service is not limited by it');
    return;
  }
  assert.fail('no round finished within one second of starting (machine too busy to tell)');
}

describe('per-service API rate limit', { skip: skipWithoutPg }, () => {
  describe('in process memory', () => {
    let herald: InProcess;
    before(async () => {
      herald = await startInProcess(
        { apiRateLimit: { perSecond: PER_SECOND } },
        { api: true, worker: false },
      );
    });
    after(async () => herald?.stop());

    it('two keys of one service share one budget; another service is unaffected', () =>
      oneBudgetPerService(herald));
  });

  describe('through Redis', { skip: skipWithoutRedis }, () => {
    let herald: InProcess;
    before(async () => {
      herald = await startInProcess(
        { apiRateLimit: { perSecond: PER_SECOND }, redisUrl: REDIS_URL },
        { api: true, worker: false },
      );
    });
    after(async () => herald?.stop());

    it('two keys of one service share one budget; another service is unaffected', () =>
      oneBudgetPerService(herald));
  });
});
