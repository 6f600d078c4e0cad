/**
 * The circuit breaker in a running engine: a primary SMTP provider that refuses with 451 trips its
 * breaker, mail fails over to the backup, GET /v1/providers shows it, and when the primary recovers
 * a half-open probe closes the breaker and mail goes back to the primary.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, waitForNotification, type Client } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process.ts';
import { skipWithoutPg } from '../helpers/pg.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';

describe('circuit breaker and failover', { skip: skipWithoutPg }, () => {
  let primary: TestSmtp;
  let backup: TestSmtp;
  let herald: InProcess;
  let api: Client;

  before(async () => {
    primary = await startSmtp({ kind: 'refuse', code: 451, message: 'try later' });
    backup = await startSmtp();
    herald = await startInProcess({
      providers: {
        email: [
          { name: 'primary', type: 'smtp', url: primary.url, from: 'a@acme.test' },
          { name: 'backup', type: 'smtp', url: backup.url, from: 'a@acme.test' },
        ],
      },
      breaker: { failureThreshold: 3, openMs: 1500 },
      retry: { default: { maxAttempts: 20, baseDelayMs: 20, maxDelayMs: 100 } },
      worker: { concurrency: 2 },
    });
    api = await herald.service();
  });

  after(async () => {
    await herald?.stop();
    await primary?.close();
    await backup?.close();
  });

  const send = async (i: number) => {
    const res = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: { id: `r${i}`, email: `r${i}@example.com` },
      channels: ['email'],
      content: { email: { subject: `n${i}`, text: 'hello' } },
    });
    assert.equal(res.status, 202);
    return res.body.id as string;
  };

  it('opens the primary breaker and delivers everything through the backup', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5, 6].map(send));
    const views = await Promise.all(ids.map((id) => waitForNotification(api, id)));
    for (const v of views) assert.equal(v.deliveries[0].provider, 'backup');
    assert.equal(backup.messages.length, 6);
    assert.equal(primary.messages.length, 0);
    const failedOnPrimary = views
      .flatMap((v) => v.deliveries[0].attempts)
      .filter((a: any) => a.provider === 'primary' && a.outcome === 'transient');
    assert.ok(failedOnPrimary.length >= 3, 'the primary was tried until its breaker opened');

    const providers = await eventually(
      async () => {
        const res = await herald.admin.get('/v1/providers');
        const p = res.body.data.find((x: any) => x.name === 'primary');
        const b = res.body.data.find((x: any) => x.name === 'backup');
        return (p?.state === 'open' || p?.state === 'half_open') && b?.succeeded >= 6
          ? res.body.data
          : undefined;
      },
      { what: 'the primary breaker to show open' },
    );
    const byName = Object.fromEntries(providers.map((p: any) => [p.name, p]));
    assert.equal(byName.primary.errorRate, 1);
    assert.equal(byName.backup.state, 'closed');
    assert.equal(byName.backup.failed, 0);
    // A service key may look too.
    assert.equal((await api.get('/v1/providers')).status, 200);
    assert.equal((await herald.admin.get('/v1/providers', { authorization: 'Bearer nope' })).status, 401);
  });

  it('closes the breaker after the primary recovers, and sends through it again', async () => {
    primary.mode = { kind: 'accept' };
    // Keep mail flowing: once the open period ends, the next send is the half-open probe.
    let i = 100;
    await eventually(
      async () => {
        await waitForNotification(api, await send(i++));
        const res = await herald.admin.get('/v1/providers');
        return res.body.data.find((x: any) => x.name === 'primary')?.state === 'closed';
      },
      { what: 'the primary breaker to close', intervalMs: 300 },
    );
    const id = await send(999);
    const view = await waitForNotification(api, id);
    assert.equal(view.deliveries[0].provider, 'primary');
    assert.ok(primary.messages.some((m) => m.subject === 'n999'));
  });
});
