/**
 * Each inbox recipient has a request budget of its own (service + recipient id): over it, 429
 * `rate_limited` with Retry-After, while the service's other recipients and its API key carry on.
 * Only a recipient whose credentials checked out spends the budget, so a stranger who knows someone's
 * recipient id cannot use it up for them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Herald } from '../../src/main.ts';
import { client, type ApiResponse } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import {
  addRecipients,
  hmacHeaders,
  inboxService,
  recipientClient,
  recipientJwt,
  type InboxService,
} from '../helpers/inbox.ts';

/** 1 request a second plus 4 more in any 10 s: five at once fit, a dozen in a row do not. */
const LIMITS = { recipientRateLimit: { perSecond: 1, burst: 4 } };

function assertRateLimited(res: ApiResponse, what: string): void {
  assert.equal(res.status, 429, what);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, what);
  assert.equal(res.body.error.code, 'rate_limited', what);
  assert.equal(typeof res.body.error.message, 'string', what);
  assert.equal(typeof res.body.error.details.retryAfterSeconds, 'number', what);
  assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/, what);
}

describe('per-recipient inbox rate limit', { timeout: 60_000 }, () => {
  let herald: Herald;
  let url: string;
  let svc: InboxService;

  before(async () => {
    herald = await startInProcess({ worker: false, config: LIMITS });
    url = herald.url ?? '';
    svc = await inboxService(url, client(url, TEST_ADMIN_TOKEN));
    await addRecipients(svc, ['ann', 'bob', 'cara', 'vic']);
  });
  after(async () => herald?.stop());

  it('refuses a recipient over budget with 429 and Retry-After, and leaves others alone', async () => {
    const ann = recipientClient(url, svc, 'ann');
    const answers: ApiResponse[] = [];
    for (let i = 0; i < 12; i++) answers.push(await ann.post('/v1/inbox/tickets'));
    const refused = answers.filter((r) => r.status === 429);
    assert.ok(
      refused.length > 0,
      `a dozen tickets in a row exceed 1/s + 4: ${answers.map((r) => r.status).join(',')}`,
    );
    for (const r of refused) assertRateLimited(r, 'ticket over budget');
    for (const r of answers.filter((x) => x.status !== 429)) assert.equal(r.status, 201);

    // Another recipient of the same service, and the service's own key, have budgets of their own.
    const bob = recipientClient(url, svc, 'bob');
    assert.equal((await bob.get('/v1/inbox/counts')).status, 200);
    assert.equal((await bob.post('/v1/inbox/tickets')).status, 201);
    assert.equal((await svc.api.get('/v1/inbox/secret')).status, 200);
  });

  it('counts stream openings too', async () => {
    const answers: number[] = [];
    let refusal: ApiResponse | undefined;
    for (let i = 0; i < 12 && !refusal; i++) {
      const stop = new AbortController();
      const res = await fetch(`${url}/v1/inbox/events`, {
        headers: hmacHeaders(svc, 'cara'),
        signal: stop.signal,
      });
      answers.push(res.status);
      if (res.status === 429) {
        refusal = { status: res.status, headers: res.headers, body: await res.json() };
      }
      stop.abort();
    }
    assert.ok(refusal, `a dozen stream openings in a row exceed 1/s + 4: ${answers.join(',')}`);
    assertRateLimited(refusal, 'stream over budget');
    for (const s of answers.slice(0, -1)) assert.equal(s, 200);
  });

  it('spends nothing of a recipient budget on requests that fail authentication', async () => {
    const forged = hmacHeaders(svc, 'vic', 'ab'.repeat(32));
    const wrongJwt = await recipientJwt(svc, 'vic', { secret: 'not-the-inbox-secret' });
    const strangers = await Promise.all([
      ...Array.from({ length: 8 }, () => client(url).get('/v1/inbox/counts', forged)),
      ...Array.from({ length: 4 }, () => client(url, wrongJwt).post('/v1/inbox/tickets')),
      ...Array.from({ length: 4 }, () => client(url).get('/v1/inbox/events', forged)),
    ]);
    assert.deepEqual(
      strangers.map((r) => r.status),
      strangers.map(() => 401),
    );
    // The victim's whole budget (1 + 4 burst) is still there.
    const victim = recipientClient(url, svc, 'vic');
    const own = await Promise.all(Array.from({ length: 5 }, () => victim.get('/v1/inbox/counts')));
    assert.deepEqual(
      own.map((r) => r.status),
      own.map(() => 200),
    );
  });
});
