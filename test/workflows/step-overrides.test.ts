/**
 * A notification's own step parameters (`stepOverrides`) end to end: checked at the send (422 with
 * the JSON pointer), then obeyed by the planner, mail received by a real SMTP server. Herald runs in
 * this process on PGlite with a fake clock. Also: a batch of events into a few digests, joined by the
 * planner a batch at a time, gives each event its own place and each digest one message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import type { Herald } from '../../src/main.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('notification-level step overrides (embedded, fake clock)', () => {
  const clock = fakeClock(new Date('2026-03-02T10:00:00Z'));
  let smtp: TestSmtp;
  let herald: Herald;
  let api: Client;

  before(async () => {
    smtp = await startSmtp();
    herald = await startInProcess({
      clock,
      env: { HERALD_SMTP_URL: smtp.url, HERALD_SMTP_FROM: 'Acme <noreply@acme.test>' },
      config: { worker: { pollMs: 50, sweepMs: 100 } },
    });
    const admin = client(herald.url ?? '', TEST_ADMIN_TOKEN);
    api = client(herald.url ?? '', (await registerService(admin, 'Acme', ['welcome'])).apiKey);
  });

  after(async () => {
    await herald?.stop();
    await smtp?.close();
  });

  async function defineType(key: string, steps: unknown[]) {
    const res = await api.put(`/v1/notification-types/${key}`, { defaultChannels: ['email'], steps });
    assert.ok(res.status === 201 || res.status === 200, JSON.stringify(res.body));
    const tpl = await api.put(`/v1/notification-types/${key}/templates/email/default`, {
      subject: `${key}: {{ title }}{% if digest %} ({{ digest.count }} items){% endif %}`,
      text: '{% if digest %}{% for item in digest.items %}- {{ item.title }}\n{% endfor %}{% else %}{{ title }}{% endif %}',
    });
    assert.equal(tpl.status, 201, JSON.stringify(tpl.body));
  }

  const body = (type: string, to: string, data: Record<string, unknown>, extra = {}) => ({
    type,
    recipient: { id: to, email: `${to}@example.test` },
    data,
    ...extra,
  });

  async function send(type: string, to: string, data: Record<string, unknown>, extra = {}) {
    const res = await api.post('/v1/notifications', body(type, to, data, extra));
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

  it('refuses bad overrides with a 422 naming each path, on the single and the batch endpoint', async () => {
    await defineType('nudge', [{ type: 'delay', duration: '1d' }]);
    const cases: [unknown, string, string][] = [
      [{ delay: { duration: '999d' } }, 'validation_failed', '/stepOverrides/delay/duration'],
      [{ throttle: { limit: 3 } }, 'validation_failed', '/stepOverrides/throttle'],
      [{ delay: { duration: '10 minutes' } }, 'validation_failed', '/stepOverrides/delay/duration'],
      [{ delay: {} }, 'validation_failed', '/stepOverrides/delay'],
      [{ digest: { key: 'x' }, sms: {} }, 'validation_failed', '/stepOverrides'],
    ];
    for (const [stepOverrides, code, path] of cases) {
      const res = await api.post(
        '/v1/notifications',
        body('nudge', 'nora', { title: 'x' }, { stepOverrides }),
      );
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.error.code, code);
      const paths = (res.body.error.details as { path?: string; instancePath?: string }[]).map(
        (d) => d.path ?? d.instancePath,
      );
      assert.ok(
        paths.some((p) => p === path || p?.startsWith(`${path}/`)),
        `${JSON.stringify(stepOverrides)}: ${JSON.stringify(res.body)}`,
      );
    }
    await defineType('chat', [{ type: 'digest', window: '1h', key: '{{ room }}' }]);
    const both = await api.post(
      '/v1/notifications',
      body('chat', 'nora', { title: 'x' }, { stepOverrides: { digest: { window: '5m', at: '09:00' } } }),
    );
    assert.equal(both.status, 422);
    assert.deepEqual(
      both.body.error.details.map((d: { path: string }) => d.path),
      ['/stepOverrides/digest'],
    );
    const badKey = await api.post(
      '/v1/notifications',
      body('chat', 'nora', { title: 'x' }, { stepOverrides: { digest: { key: '{{ room' } } }),
    );
    assert.equal(badKey.status, 422);
    assert.equal(badKey.body.error.code, 'template_syntax_error');
    assert.match(JSON.stringify(badKey.body.error), /\/stepOverrides\/digest\/key/);

    const batch = await api.post('/v1/notifications/batch', {
      notifications: [
        body('nudge', 'nora', { title: 'ok' }, { stepOverrides: { delay: { duration: '5m' } } }),
        body('nudge', 'nora', { title: 'bad' }, { stepOverrides: { delay: { duration: '999d' } } }),
      ],
    });
    assert.equal(batch.status, 200, JSON.stringify(batch.body));
    assert.equal(batch.body.results[0].status, 202);
    assert.equal(batch.body.results[1].status, 422);
    assert.match(JSON.stringify(batch.body.results[1].error), /\/stepOverrides\/delay\/duration/);
  });

  it('a delay override replaces the type’s delay; the notification reads waiting meanwhile', async () => {
    await defineType('remind', [{ type: 'delay', until: '{{ at }}', duration: '30d' }]);
    const own = await send(
      'remind',
      'olga',
      { title: 'soon', at: '2027-01-01T00:00:00Z' },
      {
        stepOverrides: { delay: { duration: '2h' } },
      },
    );
    const plain = await send('remind', 'otto', { title: 'later', at: '2027-01-01T00:00:00Z' });
    const waiting = await stepsOf(own, 'waiting');
    assert.equal(waiting.status, 'waiting');
    assert.equal(new Date(waiting.steps[0].detail.until).getTime(), clock.now().getTime() + 2 * HOUR);
    assert.equal((await stepsOf(plain, 'waiting')).steps[0].detail.until, '2027-01-01T00:00:00.000Z');
    clock.advance(2 * HOUR);
    await waitForNotification(api, own);
    await eventually(async () => mailsTo('olga@example.test').length === 1, { what: 'the overridden delay' });
    assert.equal((await api.get(`/v1/notifications/${plain}`)).body.status, 'waiting');
    assert.equal(mailsTo('otto@example.test').length, 0);
  });

  it('a throttle override sets this notification’s own limit', async () => {
    await defineType('alert', [{ type: 'throttle', limit: 1, window: '1h' }]);
    const first = await send('alert', 'paul', { title: 'a1' });
    assert.equal((await waitForNotification(api, first)).deliveries[0].status, 'sent');
    const strict = await send('alert', 'paul', { title: 'a2' });
    const loose = await send('alert', 'paul', { title: 'a3' }, { stepOverrides: { throttle: { limit: 5 } } });
    const s = await waitForNotification(api, strict);
    assert.equal(s.deliveries[0].reason, 'throttled');
    const l = await waitForNotification(api, loose);
    assert.equal(l.deliveries[0].status, 'sent');
    assert.equal(l.steps[0].detail.limit, 5);
    assert.equal(l.steps[0].detail.place, 3);
  });

  it('a digest override sets the key and the window; other events keep the type’s', async () => {
    await defineType('comment', [{ type: 'digest', window: '1h', key: '{{ thread }}' }]);
    const fast = { stepOverrides: { digest: { key: 'urgent-{{ thread }}', window: '10m' } } };
    const a = await send('comment', 'rosa', { title: 'A1', thread: 'A' });
    const u1 = await send('comment', 'rosa', { title: 'U1', thread: 'A' }, fast);
    const u2 = await send('comment', 'rosa', { title: 'U2', thread: 'A' }, fast);
    const slow = await stepsOf(a, 'digested');
    const quick = await stepsOf(u2, 'digested');
    await stepsOf(u1, 'digested');
    assert.equal(slow.steps[0].detail.key, 'A');
    assert.equal(quick.steps[0].detail.key, 'urgent-A');
    assert.notEqual(slow.steps[0].detail.digestId, quick.steps[0].detail.digestId);
    clock.advance(10 * MINUTE);
    await eventually(async () => mailsTo('rosa@example.test').length === 1, { what: 'the 10-minute digest' });
    assert.equal(mailsTo('rosa@example.test')[0]?.subject, 'comment: U2 (2 items)');
    clock.advance(50 * MINUTE);
    await eventually(async () => mailsTo('rosa@example.test').length === 2, { what: 'the hourly digest' });
    assert.equal(mailsTo('rosa@example.test')[1]?.subject, 'comment: A1 (1 items)');
  });

  it('joins a batch of events a planner batch at a time: each event one place, each digest one message', async () => {
    await defineType('like', [{ type: 'digest', window: '1h', key: '{{ post }}' }]);
    const capped = { stepOverrides: { digest: { maxItems: 4 } } };
    const items = [
      ...Array.from({ length: 30 }, (_, i) => body('like', 'sam', { title: `p${i}`, post: `p${i % 3}` })),
      ...Array.from({ length: 10 }, (_, i) => body('like', 'sue', { title: `q${i}`, post: 'q' }, capped)),
    ];
    const res = await api.post('/v1/notifications/batch', { notifications: items });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const ids = (res.body.results as { id: string }[]).map((r) => r.id);
    const joined = await Promise.all(ids.map((id) => stepsOf(id, 'digested')));
    const places = new Map<string, number[]>();
    for (const v of joined) {
      const d = v.steps[0].detail as { digestId: string; position: number };
      places.set(d.digestId, [...(places.get(d.digestId) ?? []), d.position]);
    }
    // Three digests of 10 for sam; sue's 10 capped at 4: two full ones sent at once and one of 2.
    const sizes = [...places.values()].map((p) => p.length).sort((x, y) => x - y);
    assert.deepEqual(sizes, [2, 4, 4, 10, 10, 10]);
    for (const p of places.values())
      assert.deepEqual(
        p.sort((x, y) => x - y),
        Array.from({ length: p.length }, (_, i) => i + 1),
      );
    await eventually(async () => mailsTo('sue@example.test').length === 2, { what: 'two full digests' });
    clock.advance(HOUR);
    await eventually(async () => mailsTo('sam@example.test').length === 3, { what: 'three digests' });
    await eventually(async () => mailsTo('sue@example.test').length === 3, { what: 'the rest of sue’s' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(mailsTo('sam@example.test').length, 3);
    assert.deepEqual(
      mailsTo('sam@example.test')
        .map((m) => m.subject?.replace(/p\d+/, 'p'))
        .sort(),
      ['like: p (10 items)', 'like: p (10 items)', 'like: p (10 items)'],
    );
  });
});
