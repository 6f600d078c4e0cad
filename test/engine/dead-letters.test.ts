/**
 * Dead letters end to end: deliveries that use up their retries are listed (paged by cursor,
 * filtered), replayed one by one and in bulk, and then delivered; other tenants see none of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, waitForNotification, type Client } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';

describe('dead letters', { skip: skipWithoutPg }, () => {
  let smtp: TestSmtp;
  let herald: InProcess;
  let acme: Client;
  let other: Client;
  const ids: string[] = [];

  before(async () => {
    smtp = await startSmtp({ kind: 'refuse', code: 421, message: 'service not available' });
    herald = await startInProcess({
      providers: { email: [{ name: 'smtp', type: 'smtp', url: smtp.url, from: 'a@acme.test' }] },
      // A breaker that never opens here, so every attempt reaches the provider and counts.
      breaker: { failureThreshold: 1000 },
      retry: { default: {}, email: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } },
    });
    acme = await herald.service('Acme');
    other = await herald.service('Other');
    for (let i = 0; i < 3; i++) {
      const res = await acme.post('/v1/notifications', {
        type: 'order_shipped',
        recipient: { id: `r${i}`, email: `r${i}@example.com` },
        channels: ['email'],
        content: { email: { subject: `dead ${i}`, text: 'hello' } },
      });
      assert.equal(res.status, 202);
      ids.push(res.body.id);
    }
    await Promise.all(ids.map((id) => waitForNotification(acme, id)));
  });

  after(async () => {
    await herald?.stop();
    await smtp?.close();
  });

  it('lists dead deliveries with their last error, a page at a time', async () => {
    const first = await acme.get('/v1/deliveries?status=dead&channel=email&limit=2');
    assert.equal(first.status, 200);
    assert.equal(first.body.data.length, 2);
    assert.ok(first.body.nextCursor);
    const second = await acme.get(`/v1/deliveries?status=dead&limit=2&cursor=${first.body.nextCursor}`);
    assert.equal(second.body.data.length, 1);
    assert.equal(second.body.nextCursor, null);
    const all = [...first.body.data, ...second.body.data];
    assert.deepEqual(new Set(all.map((d: any) => d.notificationId)), new Set(ids));
    for (const d of all) {
      assert.equal(d.status, 'dead');
      assert.equal(d.reason, 'attempts_exhausted');
      assert.equal(d.attempts, 2);
      assert.equal(d.lastErrorCode, 'smtp_421');
    }
    assert.equal((await acme.get('/v1/deliveries?channel=sms')).body.data.length, 0);
    const future = new Date(Date.now() + 3600_000).toISOString();
    assert.equal((await acme.get(`/v1/deliveries?since=${future}`)).body.data.length, 0);
    assert.equal((await acme.get('/v1/deliveries?status=bogus')).status, 422);
    const bad = await acme.get('/v1/deliveries?cursor=not-a-cursor');
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.code, 'validation_failed');
  });

  it('refuses dates PostgreSQL cannot hold with 422, in the filter, the replay filter and the cursor', async () => {
    for (const since of [
      '0000-01-01T00:00:00Z',
      '2024-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2024-01-01T24:00:00Z',
      // A leap second JavaScript cannot read, and stamps an offset pushes past either end of 0001–9999.
      '9999-12-31T23:59:60Z',
      '2024-06-30T23:59:60Z',
      '9999-12-31T23:30:00-01:00',
      '0001-01-01T00:30:00+01:00',
    ]) {
      const res = await acme.get(`/v1/deliveries?since=${since}`);
      assert.equal(res.status, 422, since);
      assert.equal(res.body.error.code, 'validation_failed', since);
      assert.equal(res.body.error.details[0].path, '/since', since);
      assert.equal((await acme.post('/v1/deliveries/retry', { since })).status, 422, since);
    }
    // 29 February exists in leap years, and year 1 is PostgreSQL's first.
    assert.equal((await acme.get('/v1/deliveries?since=2024-02-29T00:00:00Z')).status, 200);
    assert.equal((await acme.get('/v1/deliveries?since=0001-01-01T00:00:00Z')).status, 200);
    // A cursor is base64 of what the server gave out: one hand-made with 31 February is refused.
    const forged = (updatedAt: string) =>
      Buffer.from(JSON.stringify({ updatedAt, id: '00000000-0000-4000-8000-000000000000' })).toString(
        'base64url',
      );
    for (const stamp of ['2024-02-31 10:00:00.5+00', '0000-01-01 00:00:00+00', '2024-01-01 25:00:00+00']) {
      const res = await acme.get(`/v1/deliveries?cursor=${forged(stamp)}`);
      assert.equal(res.status, 422, stamp);
      assert.equal(res.body.error.code, 'validation_failed', stamp);
      assert.equal(res.body.error.details[0].path, '/cursor', stamp);
    }
    assert.equal((await acme.get(`/v1/deliveries?cursor=${forged('2024-02-29 10:00:00.5+00')}`)).status, 200);
  });

  it('keeps other tenants out: they list nothing and replaying an id they do not own is 404', async () => {
    const dead = (await acme.get('/v1/deliveries')).body.data;
    assert.equal((await other.get('/v1/deliveries')).body.data.length, 0);
    const res = await other.post(`/v1/deliveries/${dead[0].id}/retry`);
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'not_found');
    assert.deepEqual(await other.post('/v1/deliveries/retry', {}), {
      status: 202,
      headers: (await other.post('/v1/deliveries/retry', {})).headers,
      body: { requeued: 0 },
    });
  });

  it('replays one by id and then the rest in bulk, and all are delivered', async () => {
    smtp.mode = { kind: 'accept' };
    const dead = (await acme.get('/v1/deliveries')).body.data;
    const one = await acme.post(`/v1/deliveries/${dead[0].id}/retry`);
    assert.equal(one.status, 202);
    assert.deepEqual(one.body, { id: dead[0].id, status: 'queued' });
    const view = await eventually(
      async () => {
        const v = (await acme.get(`/v1/notifications/${dead[0].notificationId}`)).body;
        return v.deliveries[0].status === 'sent' ? v : undefined;
      },
      { what: 'the replayed delivery to be sent' },
    );
    assert.deepEqual(
      view.deliveries[0].attempts.map((a: any) => a.outcome),
      ['transient', 'transient', 'sent'],
    );
    const again = await acme.post(`/v1/deliveries/${dead[0].id}/retry`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'not_replayable');

    const bulk = await acme.post('/v1/deliveries/retry', { channel: 'email' });
    assert.deepEqual(bulk.body, { requeued: 2 });
    await smtp.waitFor(3);
    await eventually(async () => (await acme.get('/v1/deliveries?status=sent')).body.data.length === 3, {
      what: 'all three to be sent',
    });
    assert.equal((await acme.get('/v1/deliveries')).body.data.length, 0, 'no dead letters are left');
    assert.deepEqual(new Set(smtp.messages.map((m) => m.subject)), new Set(['dead 0', 'dead 1', 'dead 2']));
  });
});
