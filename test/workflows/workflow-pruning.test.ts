/**
 * The sweeper's workflow housekeeping, through a real Herald on PGlite with a fake clock: a throttle
 * counter goes once its window has ended, a closed digest (and its items) once it is older than the
 * retention period; an open digest and a live counter stay.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import type { Herald } from '../../src/main.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('workflow pruning (embedded, fake clock)', () => {
  const clock = fakeClock(new Date('2026-04-06T10:30:00Z'));
  let smtp: TestSmtp;
  let herald: Herald;
  let api: Client;

  before(async () => {
    smtp = await startSmtp();
    herald = await startInProcess({
      clock,
      env: { HERALD_SMTP_URL: smtp.url },
      config: { worker: { pollMs: 50, sweepMs: 100 }, retention: { days: 30 } },
    });
    const admin = client(herald.url ?? '', TEST_ADMIN_TOKEN);
    api = client(herald.url ?? '', (await registerService(admin, 'Acme', ['welcome'])).apiKey);
    for (const [key, steps] of [
      ['ping', [{ type: 'throttle', limit: 5, window: '1h' }]],
      ['comment', [{ type: 'digest', window: '1h', key: '{{ thread }}' }]],
    ] as const) {
      const res = await api.put(`/v1/notification-types/${key}`, { defaultChannels: ['email'], steps });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await api.put(`/v1/notification-types/${key}/templates/email/default`, {
        subject: '{{ thread }}',
        text: 'x',
      });
    }
  });

  after(async () => {
    await herald?.stop();
    await smtp?.close();
  });

  const counters = async () =>
    Number(
      (await sql<{ n: number }>`select count(*)::int as n from workflow_throttle_counts`.execute(herald.db))
        .rows[0]?.n,
    );

  const send = async (type: string, data: Record<string, unknown>) => {
    const res = await api.post('/v1/notifications', {
      type,
      recipient: { id: 'pia', email: 'pia@example.test' },
      data,
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.id as string;
  };

  it('drops a throttle counter once its window has ended', async () => {
    await waitForNotification(api, await send('ping', { thread: 't' }));
    assert.equal(await counters(), 1);
    await new Promise((r) => setTimeout(r, 400)); // sweeps run: the window (10:00–11:00) is still open
    assert.equal(await counters(), 1);
    clock.advance(HOUR);
    await eventually(async () => (await counters()) === 0, { what: 'the ended counter to go' });
  });

  it('drops a closed digest with its items after the retention period, and keeps a newer one', async () => {
    const first = await send('comment', { thread: 'old' });
    const joined = await eventually(
      async () => {
        const body = (await api.get(`/v1/notifications/${first}`)).body;
        return body.steps?.[0]?.detail?.digestId as string | undefined;
      },
      { what: 'the event to join a digest' },
    );
    clock.advance(HOUR);
    await eventually(async () => (await api.get(`/v1/digests/${joined}`)).body.status === 'closed', {
      what: 'the digest to close',
    });
    clock.advance(20 * DAY);
    const open = await send('comment', { thread: 'new' });
    const openId = await eventually(
      async () => (await api.get(`/v1/notifications/${open}`)).body.steps?.[0]?.detail?.digestId as string,
      { what: 'a new digest' },
    );
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await api.get(`/v1/digests/${joined}`)).status, 200, 'closed 20 days ago: kept');
    clock.advance(11 * DAY);
    await eventually(async () => (await api.get(`/v1/digests/${joined}`)).status === 404, {
      what: 'the old digest to go',
    });
    const items = await sql<{ n: number }>`
      select count(*)::int as n from digest_items where digest_id = ${joined}`.execute(herald.db);
    assert.equal(items.rows[0]?.n, 0);
    // The newer digest's window ended during the jump, so it closed just now: kept.
    assert.equal((await api.get(`/v1/digests/${openId}`)).status, 200);
  });
});
