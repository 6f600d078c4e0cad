/**
 * The pages and redirects a signed token opens (/p, /u, /t/o, /t/c) answer anyone, so each client
 * address has a request budget (`publicRateLimit.perSecond`): over it, 429 `rate_limited` with
 * Retry-After. X-Forwarded-For names the client only when `trustProxy` says whose to believe.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Herald } from '../../src/main.ts';
import { startInProcess } from '../helpers/in-process.ts';

const PATHS = ['/p/forged', '/u/forged', '/t/o/forged.token', '/t/c/forged.token'];
/** What each path answers a forged token when not limited. */
const REFUSED: Record<string, number> = { p: 403, u: 403, o: 404, c: 403 };
const expectedFor = (path: string) => REFUSED[path.split('/').at(-2) ?? ''] ?? 0;

async function burst(base: string, n: number, headers: (i: number) => Record<string, string> = () => ({})) {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const path = PATHS[i % PATHS.length] ?? '/p/forged';
      const res = await fetch(`${base}${path}`, { headers: headers(i), redirect: 'manual' });
      const text = await res.text();
      return { path, status: res.status, headers: res.headers, text };
    }),
  );
}

describe('per-address limit on the public token pages', { timeout: 60_000 }, () => {
  let trusting: Herald;
  let direct: Herald;

  before(async () => {
    const publicRateLimit = { perSecond: 2 };
    trusting = await startInProcess({ worker: false, config: { publicRateLimit, trustProxy: '127.0.0.1' } });
    direct = await startInProcess({ worker: false, config: { publicRateLimit } });
  });
  after(async () => {
    await trusting?.stop();
    await direct?.stop();
  });

  it('answers 429 with Retry-After and the JSON error once an address is over its budget', async () => {
    const answers = await burst(trusting.url ?? '', 16, () => ({ 'x-forwarded-for': '203.0.113.7' }));
    const limited = answers.filter((r) => r.status === 429);
    assert.ok(limited.length > 0, `16 at once exceed 2/s: ${answers.map((r) => r.status).join(',')}`);
    for (const r of limited) {
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      const body = JSON.parse(r.text) as { error: { code: string; message: string; details: any } };
      assert.equal(body.error.code, 'rate_limited');
      assert.equal(typeof body.error.details.retryAfterSeconds, 'number');
      assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    }
    for (const r of answers.filter((x) => x.status !== 429)) assert.equal(r.status, expectedFor(r.path));

    // Another reader behind the trusted proxy has a budget of its own.
    const other = await fetch(`${trusting.url}/t/c/forged.token`, {
      headers: { 'x-forwarded-for': '198.51.100.9' },
      redirect: 'manual',
    });
    assert.equal(other.status, 403);
  });

  it('does not let an untrusted X-Forwarded-For buy a fresh budget', async () => {
    const answers = await burst(direct.url ?? '', 16, (i) => ({ 'x-forwarded-for': `192.0.2.${i + 1}` }));
    assert.ok(
      answers.some((r) => r.status === 429),
      `the TCP peer is the client: ${answers.map((r) => r.status).join(',')}`,
    );
  });
});
