/** API limits: over its service's budget a key is answered 429 with Retry-After and the JSON error body. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, registerService } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

describe('API rate limit', { skip: skipWithoutPg }, () => {
  let herald: InProcess;

  before(async () => {
    herald = await startInProcess({ apiRateLimit: { perSecond: 2 } }, { api: true, worker: false });
  });

  after(async () => {
    await herald?.stop();
  });

  it('answers 429 with Retry-After once a service is over its budget, and leaves other services alone', async () => {
    const noisy = await herald.service('Noisy');
    const quiet = await herald.service('Quiet');
    const burst = await Promise.all(
      Array.from({ length: 30 }, () => noisy.get(`/v1/notifications/${randomUUID()}`)),
    );
    const limited = burst.filter((r) => r.status === 429);
    assert.ok(limited.length >= 20, `most of a 30-request burst is refused (${limited.length} were)`);
    for (const r of limited) {
      assert.equal(r.body.error.code, 'rate_limited');
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.equal(typeof r.body.error.details.retryAfterSeconds, 'number');
    }
    for (const r of burst.filter((x) => x.status !== 429)) assert.equal(r.status, 404);
    assert.equal((await quiet.get(`/v1/notifications/${randomUUID()}`)).status, 404);
  });

  it('does not spend a key budget on requests that fail authentication', async () => {
    const { apiKey } = await registerService(herald.admin, 'Victim');
    const forged = apiKey.slice(0, 20) + 'x'.repeat(43); // the victim's public id, a wrong secret
    const res = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${herald.herald.url}/v1/notifications/${randomUUID()}`, {
          headers: { authorization: `Bearer ${forged}` },
        }),
      ),
    );
    assert.deepEqual(
      res.map((r) => r.status),
      res.map(() => 401),
    );
    const victim = client(herald.herald.url ?? '', apiKey);
    assert.equal((await victim.get(`/v1/notifications/${randomUUID()}`)).status, 404);
  });
});
