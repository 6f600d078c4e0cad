/**
 * The recipient's own preferences through the inbox credentials: read and changed with an HMAC or a
 * JWT, never with the service key, and a change suppresses the next send of that type.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Herald } from '../../src/main.ts';
import { client, waitForNotification } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import {
  addRecipients,
  hmacHeaders,
  inboxService,
  recipientJwt,
  sendInApp,
  type InboxService,
} from '../helpers/inbox.ts';

describe('GET/PATCH /v1/inbox/preferences', () => {
  let herald: Herald;
  let base: string;
  let service: InboxService;

  before(async () => {
    herald = await startInProcess();
    base = herald.url ?? '';
    service = await inboxService(base, client(base, TEST_ADMIN_TOKEN));
    await addRecipients(service, ['ann', 'bob']);
  });
  after(async () => herald?.stop());

  it('a recipient reads and merges their own settings; the next send of that type is suppressed', async () => {
    const ann = client(base);
    const h = hmacHeaders(service, 'ann');
    const read = await ann.get('/v1/inbox/preferences', h);
    assert.equal(read.status, 200, JSON.stringify(read.body));

    const changed = await ann.patch(
      '/v1/inbox/preferences',
      { types: { trade_executed: { in_app: false } } },
      h,
    );
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual(changed.body.types, { trade_executed: { in_app: false } });
    // A second change merges with the first rather than replacing it.
    const jwt = { authorization: `Bearer ${await recipientJwt(service, 'ann')}` };
    const merged = await ann.patch('/v1/inbox/preferences', { channels: { sms: false } }, jwt);
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.deepEqual(merged.body.types, { trade_executed: { in_app: false } });
    assert.equal(merged.body.channels.sms, false);

    // The service sees the same settings, and Bob's are his own.
    const seen = await service.api.get('/v1/recipients/ann/preferences');
    assert.deepEqual(seen.body.types, { trade_executed: { in_app: false } });
    const bob = await ann.get('/v1/inbox/preferences', hmacHeaders(service, 'bob'));
    assert.equal(bob.status, 200);
    assert.equal(bob.body.types?.trade_executed, undefined);

    const id = await sendInApp(service, 'ann', { title: 'Suppressed', body: '' });
    const n = await waitForNotification(service.api, id);
    assert.equal(n.deliveries[0].status, 'suppressed');
    assert.equal(n.deliveries[0].reason, 'preference_opt_out');
  });

  it('refuses the service key, a wrong HMAC, and an invalid body only after authenticating', async () => {
    const anon = client(base);
    assert.equal((await service.api.get('/v1/inbox/preferences')).status, 401);
    const forged = { ...hmacHeaders(service, 'ann'), 'x-herald-recipient-hmac': '0'.repeat(64) };
    assert.equal((await anon.get('/v1/inbox/preferences', forged)).status, 401);
    const unauthenticated = await anon.patch('/v1/inbox/preferences', { channels: { email: 'no' } });
    assert.equal(unauthenticated.status, 401);
    const invalid = await anon.patch(
      '/v1/inbox/preferences',
      { channels: { email: 'no' } },
      hmacHeaders(service, 'ann'),
    );
    assert.equal(invalid.status, 422);
    assert.equal(typeof invalid.body.error.code, 'string');
    // Signed for, but not a recipient the service has.
    assert.equal((await anon.get('/v1/inbox/preferences', hmacHeaders(service, 'nobody'))).status, 404);
  });

  it('answers the browser preflight for PATCH from another origin', async () => {
    const res = await fetch(`${base}/v1/inbox/preferences`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'content-type, x-herald-service',
      },
    });
    assert.equal(res.status, 204);
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /PATCH/);
  });
});
