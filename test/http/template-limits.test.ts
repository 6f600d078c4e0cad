/**
 * The templates of one request are bounded together, through the public API: each string under the
 * per-template limit, but all of them over `templates.requestBytes`, is refused with 422
 * `templates_too_large`, and nothing is written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Herald } from '../../src/main.ts';
import { client, registerService, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';

/** Push data values are templates of up to 4,000 characters each, with no limit on how many. */
const pushData = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, '{{ a }}'.repeat(570)]));

describe('template bytes per request', () => {
  let herald: Herald;
  let api: Client;

  before(async () => {
    herald = await startInProcess({ worker: false, config: { bodyLimitBytes: 2 * 1024 * 1024 } });
    const url = herald.url ?? '';
    api = client(url, (await registerService(client(url, TEST_ADMIN_TOKEN), 'Heavy')).apiKey);
    assert.equal((await api.put('/v1/recipients/r1', { email: 'r1@example.com' })).status, 201);
  });
  after(async () => herald?.stop());

  const notifications = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from notifications`.execute(herald.db)).rows[0]?.n;

  it('refuses a notification whose templates add up to more than the limit, writing nothing', async () => {
    const big = '{{ a }} '.repeat(12_000); // 96,000 characters: under the 100,000 per template
    const res = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: 'r1',
      channels: ['email', 'push'],
      content: {
        email: { subject: 'Hi', text: big, html: big },
        push: { title: 'Hi', body: 'x', data: pushData(20) },
      },
    });
    assert.equal(res.status, 422, JSON.stringify(res.body).slice(0, 300));
    assert.equal(res.body.error.code, 'templates_too_large');
    assert.equal(res.body.error.details.limit, 256 * 1024);
    assert.ok(res.body.error.details.bytes > 256 * 1024);
    assert.equal(await notifications(), 0);

    const fits = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: 'r1',
      channels: ['email'],
      content: { email: { subject: 'Hi', text: big } },
    });
    assert.equal(fits.status, 202);
  });

  it('refuses the same when saving a stored template', async () => {
    const res = await api.put('/v1/notification-types/order_shipped/templates/push/default', {
      title: 'Hi',
      body: 'x',
      data: pushData(70),
    });
    assert.equal(res.status, 422, JSON.stringify(res.body).slice(0, 300));
    assert.equal(res.body.error.code, 'templates_too_large');
  });
});
