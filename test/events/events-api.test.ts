/**
 * Events in, end to end through the API on embedded Herald (PGlite) with a real SMTP server: seed
 * 000's copy-trading flow as a trigger rule (`trade.executed` → topic `trader:{{ traderId }}` → each
 * follower's own suggested quantity), rules checked when saved, event ids as idempotency keys,
 * conditions that filter, and events no rule matches.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Herald } from '../../src/main.ts';
import { client, eventually, registerService, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';

const COPY_TRADE_RULE = {
  notifications: [
    {
      type: 'trade_executed',
      to: { topic: 'trader:{{ traderId }}' },
      channels: ['email'],
      priority: 'high',
      condition: 'quantity > 0',
    },
  ],
};

describe('events and trigger rules', () => {
  let herald: Herald;
  let smtp: TestSmtp;
  let api: Client;

  const processed = (id: string) =>
    eventually(
      async () => {
        const res = await api.get(`/v1/events/${id}`);
        return res.status === 200 && res.body.status !== 'pending' ? res.body : undefined;
      },
      { what: `event ${id} to be processed` },
    );

  before(async () => {
    smtp = await startSmtp();
    herald = await startInProcess({
      env: { HERALD_SMTP_URL: smtp.url, HERALD_EMAIL_FROM: 'alerts@example.com' },
    });
    const service = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Trinkerr', [
      'trade_executed',
      'welcome',
    ]);
    api = client(herald.url ?? '', service.apiKey);
    const template = await api.put('/v1/notification-types/trade_executed/templates/email/default', {
      subject: 'Trader {{ traderId }} bought {{ symbol }}',
      text: 'Suggested quantity: {{ quantity | times: recipient.portfolio | divided_by: traderPortfolio }}',
    });
    assert.equal(template.status, 201, JSON.stringify(template.body));
    for (const [id, portfolio] of [
      ['f1', 10000],
      ['f2', 50000],
      ['f3', 2500],
    ] as const) {
      const put = await api.put(`/v1/recipients/${id}`, {
        email: `${id}@example.com`,
        attributes: { portfolio },
      });
      assert.equal(put.status, 201);
    }
    assert.equal(
      (await api.put('/v1/topics/trader:42/subscribers', { recipients: ['f1', 'f2', 'f3'] })).status,
      200,
    );
    assert.equal((await api.put('/v1/topics/trader:7/subscribers', { recipients: ['f1'] })).status, 200);
  });
  after(async () => {
    await herald?.stop();
    await smtp?.close();
  });

  it("turns trade.executed into each follower's personalised email (seed 000)", async () => {
    const saved = await api.put('/v1/triggers/trade.executed', COPY_TRADE_RULE);
    assert.equal(saved.status, 201, JSON.stringify(saved.body));
    const sent = await api.post('/v1/events', {
      id: 'trade-1',
      name: 'trade.executed',
      payload: { traderId: 42, symbol: 'INFY', quantity: 50, traderPortfolio: 100000 },
      occurredAt: '2026-11-26T09:15:00Z',
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    assert.deepEqual(sent.body, { id: 'trade-1', status: 'accepted', replayed: false });

    const mails = await smtp.waitFor(3);
    const text = new Map(mails.map((m) => [m.to?.[0]?.address, m.text?.trim()]));
    // 50 × 10,000 / 100,000: the follower's portfolio is a tenth of the trader's.
    assert.equal(text.get('f1@example.com'), 'Suggested quantity: 5');
    assert.equal(text.get('f2@example.com'), 'Suggested quantity: 25');
    assert.equal(text.get('f3@example.com'), 'Suggested quantity: 1.25');
    assert.equal(mails[0]?.subject, 'Trader 42 bought INFY');

    const event = await processed('trade-1');
    assert.equal(event.status, 'processed');
    assert.equal(event.notifications.length, 1);
    const [made] = event.notifications;
    assert.equal(made.status, 'created');
    const notification = await api.get(`/v1/notifications/${made.notificationId}`);
    assert.equal(notification.status, 200);
    assert.deepEqual(notification.body.audience, { kind: 'topic', topic: 'trader:42' });
    assert.equal(notification.body.priority, 'high');
  });

  it('skips a notification whose condition is false, and says why', async () => {
    const before = smtp.messages.length;
    const sent = await api.post('/v1/events', {
      id: 'trade-zero',
      name: 'trade.executed',
      payload: { traderId: 7, symbol: 'TCS', quantity: 0, traderPortfolio: 1 },
    });
    assert.equal(sent.status, 202);
    const event = await processed('trade-zero');
    assert.equal(event.status, 'processed');
    assert.deepEqual(event.notifications, [
      { index: 0, type: 'trade_executed', status: 'skipped', reason: 'condition is false' },
    ]);
    // A later event for the same follower arrives; the filtered one never did.
    await api.post('/v1/events', {
      id: 'trade-7',
      name: 'trade.executed',
      payload: { traderId: 7, symbol: 'TCS', quantity: 3, traderPortfolio: 10000 },
    });
    const mails = await smtp.waitFor(before + 1);
    assert.equal(mails.length, before + 1);
    assert.equal(mails.at(-1)?.subject, 'Trader 7 bought TCS');
  });

  it('records an event no rule matches as unmatched', async () => {
    const sent = await api.post('/v1/events', {
      id: 'login-1',
      name: 'user.logged_in',
      payload: { userId: 'f1' },
    });
    assert.equal(sent.status, 202);
    const event = await processed('login-1');
    assert.equal(event.status, 'unmatched');
    assert.deepEqual(event.notifications, []);
  });

  it('takes an event id once: the same body is a replay, another body a 409 that writes nothing', async () => {
    const event = { id: 'dup-1', name: 'user.logged_in', payload: { userId: 'f2' } };
    assert.equal((await api.post('/v1/events', event)).status, 202);
    const again = await api.post('/v1/events', event);
    assert.equal(again.status, 202);
    assert.equal(again.body.replayed, true);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');

    // A batch with one fresh id and one changed body: refused whole, the fresh one not stored.
    const refused = await api.post('/v1/events', {
      events: [
        { id: 'fresh-1', name: 'user.logged_in', payload: {} },
        { ...event, payload: { userId: 'f3' } },
      ],
    });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'idempotency_conflict');
    assert.deepEqual(refused.body.error.details.ids, ['dup-1']);
    assert.equal((await api.get('/v1/events/fresh-1')).status, 404);

    const batch = await api.post('/v1/events', {
      events: [event, { id: 'fresh-1', name: 'user.logged_in', payload: {} }],
    });
    assert.equal(batch.status, 202);
    assert.deepEqual(
      batch.body.events.map((e: { id: string; replayed: boolean }) => [e.id, e.replayed]),
      [
        ['dup-1', true],
        ['fresh-1', false],
      ],
    );
    const twice = await api.post('/v1/events', { events: [event, event] });
    assert.equal(twice.status, 422);
    assert.equal(twice.body.error.details[0].path, '/events/1/id');
  });

  it('refuses batches over 1,000 and payloads PostgreSQL cannot store, with the path', async () => {
    const big = Array.from({ length: 1001 }, (_, i) => ({ id: `b${i}`, name: 'x', payload: {} }));
    assert.equal((await api.post('/v1/events', { events: big })).status, 422);
    const nul = await api.post('/v1/events', { id: 'nul', name: 'x', payload: { a: { b: 'x\u0000y' } } });
    assert.equal(nul.status, 422);
    // Refused where input enters (storable-input.ts), with the path in the body as sent.
    assert.equal(nul.body.error.details[0].path, '/payload/a/b');
    const loneId = await api.post('/v1/events', { id: 'x\ud800', name: 'x', payload: {} });
    assert.equal(loneId.status, 422, JSON.stringify(loneId.body));
    assert.equal(loneId.body.error.details[0].path, '/id');
    const loneRule = await api.put('/v1/triggers/lone', {
      notifications: [{ type: 'welcome', to: { topic: 't:\ud800{{ a }}' }, channels: ['email'] }],
    });
    assert.equal(loneRule.status, 422, JSON.stringify(loneRule.body));
    assert.equal(loneRule.body.error.details[0].path, '/notifications/0/to/topic');
  });

  it('checks a rule when it is saved and names each path that is wrong', async () => {
    const bad = await api.put('/v1/triggers/order.paid', {
      notifications: [
        { type: 'no_such_type', to: { recipient: 'userId' }, channels: ['email'] },
        { type: 'welcome', to: { topic: 'user:{{ userId ' }, channels: ['email'] },
        { type: 'welcome', to: { recipients: '/ids' }, condition: 'amount >', data: { who: '/a~2b' } },
      ],
    });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.equal(bad.body.error.code, 'validation_failed');
    const paths = bad.body.error.details.map((d: { path: string }) => d.path).sort();
    assert.deepEqual(paths, [
      '/notifications/0/to/recipient',
      '/notifications/0/type',
      '/notifications/1/to/topic',
      '/notifications/2/channels',
      '/notifications/2/condition',
      '/notifications/2/data/who',
    ]);
    const escape = await api.put('/v1/triggers/order.paid', {
      notifications: [
        { type: 'welcome', to: { recipient: '/u' }, channels: ['email'], condition: 'a %}{{ b' },
      ],
    });
    assert.equal(escape.status, 422);
    assert.equal((await api.get('/v1/triggers/order.paid')).status, 404, 'a refused rule is not saved');

    const anonymous = await client(herald.url ?? '').put('/v1/triggers/order.paid', { nonsense: true });
    assert.equal(anonymous.status, 401, 'authentication comes before validation');
  });

  it('lists, reads, replaces and deletes rules; a deleted rule leaves its events unmatched', async () => {
    const rule = { notifications: [{ type: 'welcome', to: { recipient: '/userId' }, channels: ['email'] }] };
    assert.equal((await api.put('/v1/triggers/user.signed_up', rule)).status, 201);
    const replaced = await api.put('/v1/triggers/user.signed_up', {
      notifications: [{ ...rule.notifications[0], priority: 'low' }],
    });
    assert.equal(replaced.status, 200);
    const got = await api.get('/v1/triggers/user.signed_up');
    assert.equal(got.body.notifications[0].priority, 'low');
    const list = await api.get('/v1/triggers?limit=1');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.triggers.map((t: { event: string }) => t.event),
      ['trade.executed'],
    );
    const next = await api.get(`/v1/triggers?cursor=${list.body.nextCursor}`);
    assert.deepEqual(
      next.body.triggers.map((t: { event: string }) => t.event),
      ['user.signed_up'],
    );
    assert.equal((await api.delete('/v1/triggers/user.signed_up')).status, 204);
    assert.equal((await api.delete('/v1/triggers/user.signed_up')).status, 404);
    await api.post('/v1/events', { id: 'signup-1', name: 'user.signed_up', payload: { userId: 'f1' } });
    assert.equal((await processed('signup-1')).status, 'unmatched');
  });
});
