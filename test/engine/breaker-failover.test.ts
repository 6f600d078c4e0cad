/**
 * The circuit breaker in a running engine: a primary SMTP provider that refuses with 451 trips its
 * breaker, mail fails over to the backup, GET /v1/providers shows it, and when the primary recovers
 * a half-open probe closes the breaker and mail goes back to the primary.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, waitForNotification, type Client } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
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
    // A service key may look too, at the breakers' states, but the counts span every service that
    // shares the provider (and the workers are the operator's): a service sees none of them.
    const asService = await api.get('/v1/providers');
    assert.equal(asService.status, 200);
    const seen = Object.fromEntries(asService.body.data.map((p: any) => [p.name, p]));
    assert.ok(['open', 'half_open'].includes(seen.primary.state), JSON.stringify(seen.primary));
    for (const p of asService.body.data) {
      assert.equal(p.succeeded, null, JSON.stringify(p));
      assert.equal(p.failed, null);
      assert.equal(p.errorRate, null);
      assert.deepEqual(p.workers, []);
    }
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

describe('circuit breaker with no provider left', { skip: skipWithoutPg }, () => {
  let smtp: TestSmtp;
  let herald: InProcess;
  let api: Client;

  before(async () => {
    smtp = await startSmtp({ kind: 'refuse', code: 451, message: 'try later' });
    herald = await startInProcess({
      providers: { email: [{ name: 'only', type: 'smtp', url: smtp.url, from: 'a@acme.test' }] },
      // Open long enough to recover the provider before the half-open probe.
      breaker: { failureThreshold: 2, openMs: 6000 },
      // Without the breaker, three quick retries would make every delivery dead within a second.
      retry: { default: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 } },
      // One send at a time: each failure is counted before the next send is decided.
      worker: { concurrency: 1 },
    });
    api = await herald.service();
  });

  after(async () => {
    await herald?.stop();
    await smtp?.close();
  });

  it('holds deliveries without spending attempts while the only breaker is open, then delivers', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api.post('/v1/notifications', {
        type: 'order_shipped',
        recipient: { id: 'ann', email: 'ann@example.com' },
        channels: ['email'],
        content: { email: { subject: `held ${i}`, text: 'hello' } },
      });
      assert.equal(res.status, 202);
      ids.push(res.body.id);
    }
    await eventually(async () => (await herald.admin.get('/v1/providers')).body.data[0]?.state === 'open', {
      what: 'the breaker to open',
    });
    smtp.mode = { kind: 'accept' };
    const views = await Promise.all(ids.map((id) => waitForNotification(api, id)));
    const attempts = views.flatMap((v) => v.deliveries[0].attempts);
    assert.deepEqual(
      views.map((v) => v.deliveries[0].status),
      ids.map(() => 'sent'),
      'none went dead while the provider was down',
    );
    assert.equal(
      attempts.filter((a: any) => a.outcome === 'transient').length,
      2,
      'only the failures that opened the breaker were spent',
    );
    assert.equal(attempts.filter((a: any) => a.outcome === 'sent').length, 5);
    assert.equal(smtp.messages.length, 5);
  });
});
