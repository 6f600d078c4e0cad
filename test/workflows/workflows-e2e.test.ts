/**
 * Workflow steps end to end: types with steps saved through the API, notifications sent through it,
 * mail received by a real SMTP server. Herald runs in this process on PGlite with a fake clock, so a
 * 180-day delay and hour-long windows pass by moving the clock, not by waiting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import type { Herald } from '../../src/main.ts';
import { inboxCredentials, recipientClient } from '../helpers/inbox.ts';
import { nextLocalTime } from '../../src/domain/workflow-steps.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('workflow steps (embedded, fake clock)', () => {
  const clock = fakeClock(new Date('2026-01-05T10:00:00Z'));
  let smtp: TestSmtp;
  let herald: Herald;
  let api: Client;
  let serviceId: string;

  before(async () => {
    smtp = await startSmtp();
    herald = await startInProcess({
      clock,
      env: { HERALD_SMTP_URL: smtp.url, HERALD_SMTP_FROM: 'Acme <noreply@acme.test>' },
      config: { worker: { pollMs: 50, sweepMs: 100 } },
    });
    const admin = client(herald.url ?? '', TEST_ADMIN_TOKEN);
    const service = await registerService(admin, 'Acme', ['welcome']);
    serviceId = service.id;
    api = client(herald.url ?? '', service.apiKey);
  });

  after(async () => {
    await herald?.stop();
    await smtp?.close();
  });

  async function defineType(key: string, steps: unknown[]) {
    const res = await api.put(`/v1/notification-types/${key}`, { defaultChannels: ['email'], steps });
    assert.ok(res.status === 201 || res.status === 200, JSON.stringify(res.body));
    const tpl = await api.put(`/v1/notification-types/${key}/templates/email/default`, {
      subject: `${key}: {{ title }}{% if digest %} ({{ digest.count }} items, first {{ digest.first.title }}, last {{ digest.last.title }}){% endif %}`,
      text: '{% if digest %}{% for item in digest.items %}- {{ item.title }}\n{% endfor %}{% else %}{{ title }}{% endif %}',
    });
    assert.equal(tpl.status, 201, JSON.stringify(tpl.body));
  }

  async function send(type: string, to: string, data: Record<string, unknown>, extra = {}) {
    const res = await api.post('/v1/notifications', {
      type,
      recipient: { id: to, email: `${to}@example.test` },
      data,
      ...extra,
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.id as string;
  }

  const mailsTo = (address: string) => smtp.messages.filter((m) => m.to?.some((t) => t.address === address));

  async function stepsOf(id: string, decision: string) {
    return eventually(
      async () => {
        const res = await api.get(`/v1/notifications/${id}`);
        const steps = (res.body.steps ?? []) as { decision: string }[];
        return steps.some((s) => s.decision === decision) ? res.body : undefined;
      },
      { what: `notification ${id} to record ${decision}` },
    );
  }

  it('refuses invalid steps with a 422 naming each path, and shows valid ones', async () => {
    const bad = await api.put('/v1/notification-types/broken', {
      steps: [
        { type: 'delay', duration: '10 minutes' },
        { type: 'throttle', limit: 0, window: '1h' },
      ],
    });
    assert.equal(bad.status, 422);
    const paths = (bad.body.error.details as { path: string }[]).map((d) => d.path);
    assert.ok(
      paths.some((p) => p.startsWith('/steps/0')),
      JSON.stringify(bad.body),
    );
    const noWindow = await api.put('/v1/notification-types/broken', {
      steps: [{ type: 'digest', key: 'a' }],
    });
    assert.equal(noWindow.status, 422);
    assert.deepEqual(
      noWindow.body.error.details.map((d: { path: string }) => d.path),
      ['/steps/0'],
    );
    const tooLong = await api.put('/v1/notification-types/broken', {
      steps: [{ type: 'delay', duration: '999d' }],
    });
    assert.equal(tooLong.status, 422);
    assert.equal(tooLong.body.error.details[0].path, '/steps/0/duration');
    const badTemplate = await api.put('/v1/notification-types/broken', {
      steps: [{ type: 'digest', window: '1h', key: '{{ thread' }],
    });
    assert.equal(badTemplate.status, 422);
    assert.equal(badTemplate.body.error.code, 'template_syntax_error');
    assert.match(JSON.stringify(badTemplate.body.error), /\/steps\/0\/key/);
    const badIf = await api.put('/v1/notification-types/broken', {
      steps: [{ type: 'delay', duration: '1h', if: '{{ x }}' }],
    });
    assert.equal(badIf.status, 422);
    assert.equal(badIf.body.error.details[0].path, '/steps/0/if');
    const unparsable = await api.put('/v1/notification-types/broken', {
      steps: [{ type: 'delay', duration: '1h', if: 'plan === 1' }],
    });
    assert.equal(unparsable.status, 422);
    assert.equal(unparsable.body.error.code, 'template_syntax_error');
    assert.equal(
      (await api.get('/v1/notification-types/broken')).status,
      404,
      'a refused PUT writes nothing',
    );

    const good = await api.put('/v1/notification-types/reminder', {
      defaultChannels: ['email'],
      steps: [{ type: 'delay', duration: '180d', if: 'plan != "free"' }],
    });
    assert.equal(good.status, 201, JSON.stringify(good.body));
    assert.deepEqual((await api.get('/v1/notification-types/reminder')).body.steps, [
      { type: 'delay', duration: '180d', if: 'plan != "free"' },
    ]);
  });

  it('delays 180 days, durable in the database, then sends; the condition skips it for others', async () => {
    await defineType('reminder', [{ type: 'delay', duration: '180d', if: 'plan != "free"' }]);
    const id = await send('reminder', 'rita', { title: 'renew', plan: 'pro' });
    const free = await send('reminder', 'fred', { title: 'renew', plan: 'free' });
    const waiting = await stepsOf(id, 'waiting');
    assert.equal(waiting.status, 'waiting');
    assert.equal(waiting.deliveries.length, 0);
    const until = new Date(waiting.steps[0].detail.until as string);
    assert.equal(until.getTime(), clock.now().getTime() + 180 * DAY);
    // The other recipient's condition is false: the step is skipped and the mail goes now.
    const sent = await waitForNotification(api, free);
    assert.deepEqual(
      sent.steps.map((s: { decision: string }) => s.decision),
      ['skipped'],
    );
    assert.equal(mailsTo('fred@example.test').length, 1);

    clock.advance(180 * DAY - 60_000);
    await new Promise((r) => setTimeout(r, 400)); // a few sweeps: still waiting a minute before the end
    assert.equal(mailsTo('rita@example.test').length, 0);
    clock.advance(60_000);
    const done = await waitForNotification(api, id);
    assert.deepEqual(
      done.steps.map((s: { decision: string }) => s.decision),
      ['waiting', 'resumed'],
    );
    await eventually(async () => mailsTo('rita@example.test').length === 1, { what: 'the reminder mail' });
  });

  it('waits until a time from the data, and a cancel stops a waiting notification', async () => {
    await defineType('call', [{ type: 'delay', until: '{{ remind_at }}', duration: '1h' }]);
    const remindAt = new Date(clock.now().getTime() + 2 * HOUR).toISOString();
    const id = await send('call', 'carl', { title: 'call back', remind_at: remindAt });
    const cancelled = await send('call', 'cora', { title: 'call back', remind_at: remindAt });
    const waiting = await stepsOf(id, 'waiting');
    assert.equal(waiting.steps[0].detail.until, remindAt);
    await stepsOf(cancelled, 'waiting');
    const res = await api.post(`/v1/notifications/${cancelled}/cancel`);
    assert.equal(res.status, 200);
    clock.advance(2 * HOUR);
    await waitForNotification(api, id);
    await eventually(async () => mailsTo('carl@example.test').length === 1, { what: 'the call mail' });
    await new Promise((r) => setTimeout(r, 400));
    const view = await api.get(`/v1/notifications/${cancelled}`);
    assert.equal(view.body.status, 'cancelled');
    assert.equal(view.body.deliveries.length, 0);
    assert.equal(mailsTo('cora@example.test').length, 0);
  });

  it('throttles to N per recipient per window; the rest end suppressed, throttled', async () => {
    await defineType('ping', [{ type: 'throttle', limit: 2, window: '1h' }]);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send('ping', 'tom', { title: `ping ${i}` }));
    const views = await Promise.all(ids.map((id) => waitForNotification(api, id)));
    const statuses = views.map((v) => v.deliveries[0].status as string);
    assert.equal(statuses.filter((s) => s === 'sent').length, 2, JSON.stringify(statuses));
    const throttled = views.filter((v) => v.deliveries[0].status === 'suppressed');
    assert.equal(throttled.length, 3);
    for (const v of throttled) {
      assert.equal(v.deliveries[0].reason, 'throttled');
      assert.equal(v.outcome, 'suppressed');
      assert.equal(v.steps[0].decision, 'throttled');
      assert.equal(v.steps[0].detail.limit, 2);
    }
    await eventually(async () => mailsTo('tom@example.test').length === 2, { what: 'two pings' });
    // Another recipient has their own count; the next window starts afresh.
    const other = await send('ping', 'tina', { title: 'ping' });
    assert.equal((await waitForNotification(api, other)).deliveries[0].status, 'sent');
    clock.advance(HOUR);
    const next = await send('ping', 'tom', { title: 'ping later' });
    assert.equal((await waitForNotification(api, next)).deliveries[0].status, 'sent');
  });

  it('gathers events with the same key into one digest message per window', async () => {
    await defineType('comment', [{ type: 'digest', window: '1h', key: '{{ thread }}' }]);
    const a = [];
    for (let i = 1; i <= 3; i++) a.push(await send('comment', 'dora', { title: `A${i}`, thread: 'A' }));
    const b = await send('comment', 'dora', { title: 'B1', thread: 'B' });
    const joined = await stepsOf(a[2] as string, 'digested');
    const digestId = joined.steps[0].detail.digestId as string;
    await stepsOf(b, 'digested');
    const open = await api.get(`/v1/digests/${digestId}`);
    assert.equal(open.status, 200);
    assert.equal(open.body.status, 'open');
    assert.equal(open.body.count, 3);
    assert.deepEqual(
      open.body.items.map((i: { data: { title: string } }) => i.data.title),
      ['A1', 'A2', 'A3'],
    );
    const listed = await api.get('/v1/digests?recipient=dora&status=open');
    assert.equal(listed.body.data.length, 2);
    assert.equal(mailsTo('dora@example.test').length, 0);

    clock.advance(HOUR);
    await eventually(async () => mailsTo('dora@example.test').length === 2, { what: 'two digest mails' });
    const subjects = mailsTo('dora@example.test')
      .map((m) => m.subject)
      .sort();
    assert.deepEqual(subjects, [
      'comment: A3 (3 items, first A1, last A3)',
      'comment: B1 (1 items, first B1, last B1)',
    ]);
    const closed = await api.get(`/v1/digests/${digestId}`);
    assert.equal(closed.body.status, 'closed');
    const message = await waitForNotification(api, closed.body.messageId as string);
    assert.equal(message.steps[0].decision, 'digest_sent');
    assert.equal(message.deliveries[0].status, 'sent');
  });

  it('sends a digest at maxItems, on release, and lets critical notifications skip it', async () => {
    await defineType('like', [{ type: 'digest', window: '1d', key: '{{ post }}', maxItems: 2 }]);
    await send('like', 'lena', { title: 'L1', post: 'p' });
    await send('like', 'lena', { title: 'L2', post: 'p' });
    await eventually(async () => mailsTo('lena@example.test').length === 1, { what: 'a full digest' });
    assert.equal(mailsTo('lena@example.test')[0]?.subject, 'like: L2 (2 items, first L1, last L2)');

    const third = await send('like', 'lena', { title: 'L3', post: 'p' });
    const joined = await stepsOf(third, 'digested');
    const released = await api.post(`/v1/digests/${joined.steps[0].detail.digestId as string}/release`);
    assert.equal(released.status, 200);
    assert.equal(released.body.status, 'closed');
    await eventually(async () => mailsTo('lena@example.test').length === 2, { what: 'the released digest' });
    assert.equal(
      (await api.post(`/v1/digests/${joined.steps[0].detail.digestId as string}/release`)).status,
      200,
    );

    const urgent = await send('like', 'lena', { title: 'now', post: 'p' }, { priority: 'critical' });
    const view = await waitForNotification(api, urgent);
    assert.equal(view.steps[0].decision, 'critical_skipped');
    await eventually(async () => mailsTo('lena@example.test').length === 3, { what: 'the critical mail' });
    assert.equal((await api.get('/v1/digests/00000000-0000-0000-0000-000000000000')).status, 404);
  });

  it('escalates from the inbox to email when unseen, and stops once read', async () => {
    const secret = await api.post('/v1/inbox/secret');
    assert.equal(secret.status, 201);
    const inbox = { id: serviceId, api, ...inboxCredentials(secret.body) };
    const type = await api.put('/v1/notification-types/invite', {
      defaultChannels: ['in_app', 'email'],
      steps: [{ type: 'escalate', channels: ['in_app', 'email'], after: '30m' }],
    });
    assert.equal(type.status, 201, JSON.stringify(type.body));
    const notLast = await api.put('/v1/notification-types/invite2', {
      steps: [
        { type: 'escalate', channels: ['in_app', 'email'], after: '30m' },
        { type: 'delay', duration: '1h' },
      ],
    });
    assert.equal(notLast.status, 422);
    assert.equal(notLast.body.error.details[0].path, '/steps/0');
    for (const [channel, content] of [
      ['in_app', { title: 'Invite: {{ title }}', body: 'Join us' }],
      ['email', { subject: 'Invite: {{ title }}', text: 'Join us' }],
    ] as const) {
      const res = await api.put(`/v1/notification-types/invite/templates/${channel}/default`, content);
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    const unseen = await send('invite', 'ivan', { title: 'i1' });
    const read = await send('invite', 'iris', { title: 'i2' });
    for (const id of [unseen, read]) {
      // Its first stage is done, but more may be sent: it waits for the check, not completed.
      const v = await waitForNotification(api, id, 'waiting');
      assert.equal(v.outcome, null);
      assert.deepEqual(
        v.deliveries.map((d: { channel: string; status: string }) => [d.channel, d.status]),
        [['in_app', 'sent']],
      );
      assert.equal(v.steps[0].decision, 'escalating');
      assert.equal(v.steps[0].detail.next, 'email');
    }
    const iris = recipientClient(herald.url ?? '', inbox, 'iris');
    const items = await iris.get('/v1/inbox/items');
    assert.equal(items.body.data.length, 1);
    assert.equal((await iris.post(`/v1/inbox/items/${items.body.data[0].id as string}/read`)).status, 200);

    clock.advance(30 * 60_000);
    await eventually(async () => mailsTo('ivan@example.test').length === 1, { what: 'the escalated mail' });
    const escalated = await waitForNotification(api, unseen);
    assert.deepEqual(
      escalated.steps.map((s: { decision: string }) => s.decision),
      ['escalating', 'escalated', 'escalating'],
    );
    assert.deepEqual(
      escalated.deliveries.map((d: { channel: string; status: string }) => [d.channel, d.status]).sort(),
      [
        ['email', 'sent'],
        ['in_app', 'sent'],
      ],
    );
    assert.equal(escalated.outcome, 'delivered');
    const stopped = await stepsOf(read, 'escalation_stopped');
    assert.equal(stopped.deliveries.length, 1);
    assert.equal(stopped.status, 'completed');
    assert.equal(mailsTo('iris@example.test').length, 0);
  });

  it('closes a scheduled digest at 09:00 in the recipient’s time zone', async () => {
    await defineType('daily', [{ type: 'digest', at: '09:00' }]);
    const send2 = (title: string) =>
      api.post('/v1/notifications', {
        type: 'daily',
        recipient: { id: 'paul', email: 'paul@example.test', timezone: 'Europe/Paris' },
        data: { title },
      });
    const first = await send2('d1');
    await send2('d2');
    const joined = await stepsOf(first.body.id as string, 'digested');
    const closeAt = new Date(joined.steps[0].detail.closeAt as string);
    assert.equal(closeAt.getTime(), nextLocalTime(clock.now(), 'Europe/Paris', '09:00').getTime());
    clock.set(new Date(closeAt.getTime() - 1000));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(mailsTo('paul@example.test').length, 0);
    clock.set(closeAt);
    await eventually(async () => mailsTo('paul@example.test').length === 1, { what: 'the daily digest' });
    assert.equal(mailsTo('paul@example.test')[0]?.subject, 'daily: d2 (2 items, first d1, last d2)');
  });
  it('closes a cron-scheduled digest at its next run in the recipient’s time zone', async () => {
    await defineType('weekdays', [{ type: 'digest', cron: '30 8 * * 1-5' }]);
    const sendW = (title: string) =>
      api.post('/v1/notifications', {
        type: 'weekdays',
        recipient: { id: 'wes', email: 'wes@example.test', timezone: 'America/New_York' },
        data: { title },
      });
    const first = await sendW('w1');
    await sendW('w2');
    await sendW('w3');
    const joined = await stepsOf(first.body.id as string, 'digested');
    const closeAt = new Date(joined.steps[0].detail.closeAt as string);
    const local = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(closeAt);
    assert.match(local, /^(Mon|Tue|Wed|Thu|Fri),? 08:30$/);
    assert.ok(closeAt.getTime() > clock.now().getTime());
    clock.set(new Date(closeAt.getTime() - 1000));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(mailsTo('wes@example.test').length, 0);
    clock.set(closeAt);
    await eventually(async () => mailsTo('wes@example.test').length === 1, { what: 'the weekday digest' });
    assert.equal(mailsTo('wes@example.test')[0]?.subject, 'weekdays: w3 (3 items, first w1, last w3)');
  });
});
