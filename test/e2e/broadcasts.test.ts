/**
 * Broadcasts in embedded mode (in-process, PGlite): topics, every audience form, and seed 000's
 * copy-trading alert with a personalized suggested quantity, read back from the capture outbox.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Herald } from '../../src/main.ts';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';

const TRADE = {
  type: 'trade_executed',
  channels: ['email'],
  data: { symbol: 'INFY', executedQty: 50, traderPortfolio: 100000 },
  content: {
    email: {
      subject: 'Trader 42 bought {{ symbol }}',
      text: 'Suggested quantity: {{ executedQty | times: recipient.portfolio | divided_by: traderPortfolio }}',
    },
  },
};

describe('broadcasts', () => {
  let herald: Herald;
  let api: Client;

  const outboxFor = async (notificationDeliveries: number) =>
    eventually(
      async () => {
        const res = await api.get('/v1/outbox?limit=500');
        return res.body.data.length >= notificationDeliveries ? res.body.data : undefined;
      },
      { what: 'captured messages' },
    );

  before(async () => {
    herald = await startInProcess();
    const service = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Trinkerr', [
      'trade_executed',
    ]);
    api = client(herald.url ?? '', service.apiKey);
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
    assert.equal((await api.put('/v1/recipients/no-email', { attributes: { portfolio: 1 } })).status, 201);
  });
  after(async () => herald?.stop());

  it('subscribes, pages through and unsubscribes a topic, refusing unknown recipients whole', async () => {
    const put = await api.put('/v1/topics/trader:42/subscribers', {
      recipients: ['f1', 'f2', 'f3', 'no-email'],
    });
    assert.equal(put.status, 200);
    const refused = await api.put('/v1/topics/trader:42/subscribers', { recipients: ['f1', 'ghost'] });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.code, 'unknown_recipient');
    assert.deepEqual(refused.body.error.details.recipients, ['ghost']);

    const first = await api.get('/v1/topics/trader:42/subscribers?limit=3');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(
      first.body.subscribers.map((s: { id: string }) => s.id),
      ['f1', 'f2', 'f3'],
    );
    assert.equal(first.body.nextCursor, 'f3');
    const second = await api.get(`/v1/topics/trader:42/subscribers?limit=3&cursor=${first.body.nextCursor}`);
    assert.deepEqual(
      second.body.subscribers.map((s: { id: string }) => s.id),
      ['no-email'],
    );
    assert.equal(second.body.nextCursor, null);

    await api.put('/v1/topics/scratch/subscribers', { recipients: ['f1', 'f2'] });
    const del = await api.request('DELETE', '/v1/topics/scratch/subscribers', { recipients: ['f1', 'zed'] });
    assert.deepEqual(del.body, { topic: 'scratch', removed: 1 });
    const left = await api.get('/v1/topics/scratch/subscribers');
    assert.deepEqual(
      left.body.subscribers.map((s: { id: string }) => s.id),
      ['f2'],
    );
  });

  it("fans a trade out to the trader's followers with each one's suggested quantity (seed 000)", async () => {
    const res = await api.post('/v1/notifications', { ...TRADE, topic: 'trader:42' });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const done = await waitForNotification(api, res.body.id);
    assert.deepEqual(done.progress, { planned: 4, total: 4, deliveries: { sent: 3, failed: 1 } });
    assert.deepEqual(done.audience, { kind: 'topic', topic: 'trader:42' });

    const mail = await outboxFor(3);
    const text = new Map(mail.map((m: { to: string; content: { text: string } }) => [m.to, m.content.text]));
    // 50 × 10,000 / 100,000: the follower's portfolio is a tenth of the trader's.
    assert.equal(text.get('f1@example.com'), 'Suggested quantity: 5');
    assert.equal(text.get('f2@example.com'), 'Suggested quantity: 25');
    assert.equal(text.get('f3@example.com'), 'Suggested quantity: 1.25');
  });

  it('takes exactly one audience, and names the fields when given none or two', async () => {
    for (const body of [
      { ...TRADE },
      { ...TRADE, recipient: 'f1', topic: 'trader:42' },
      { ...TRADE, recipients: ['f1'], audience: 'all' },
    ]) {
      const res = await api.post('/v1/notifications', body);
      assert.equal(res.status, 422);
      assert.equal(res.body.error.code, 'validation_failed');
    }
    const tooMany = await api.post('/v1/notifications', {
      ...TRADE,
      recipients: Array.from({ length: 10_001 }, (_, i) => `r${i}`),
    });
    assert.equal(tooMany.status, 422);
    const unknownAudience = await api.post('/v1/notifications', {
      ...TRADE,
      audience: { id: '0190a0a0-0000-7000-8000-000000000000' },
    });
    assert.equal(unknownAudience.body.error.code, 'unknown_audience');
  });

  it('sends to an inline list, where an unknown id is a failed delivery rather than a refusal', async () => {
    const res = await api.post('/v1/notifications', { ...TRADE, recipients: ['f2', 'ghost', 'f1', 'f1'] });
    assert.equal(res.status, 202);
    const done = await waitForNotification(api, res.body.id);
    assert.deepEqual(done.progress, { planned: 3, total: 3, deliveries: { sent: 2, failed: 1 } });
  });

  it('sends to everyone', async () => {
    const res = await api.post('/v1/notifications', { ...TRADE, audience: 'all' });
    const done = await waitForNotification(api, res.body.id);
    assert.deepEqual(done.progress, { planned: 4, total: 4, deliveries: { sent: 3, failed: 1 } });
  });

  it('streams an NDJSON or CSV audience, with per-recipient data the templates see', async () => {
    const ndjson = ['"f1"', '{"id":"f2","data":{"executedQty":10}}', '', '{"id":"nobody"}'].join('\n');
    const up = await api.post('/v1/audiences', ndjson, { 'content-type': 'application/x-ndjson' });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.size, 3);
    assert.deepEqual((await api.get(`/v1/audiences/${up.body.id}`)).body, up.body);

    const res = await api.post('/v1/notifications', { ...TRADE, audience: { id: up.body.id } });
    const done = await waitForNotification(api, res.body.id);
    assert.deepEqual(done.progress, { planned: 3, total: 3, deliveries: { sent: 2, failed: 1 } });
    const mail = await api.get('/v1/outbox?limit=2');
    const texts = mail.body.data.map((m: { content: { text: string } }) => m.content.text).sort();
    // f2's own executedQty (10) overrides the notification's 50: 10 × 50,000 / 100,000.
    assert.deepEqual(texts, ['Suggested quantity: 5', 'Suggested quantity: 5']);

    const csv = 'id,executedQty\r\nf3,400\r\n"f1",\r\n';
    const upCsv = await api.post('/v1/audiences', csv, { 'content-type': 'text/csv' });
    assert.equal(upCsv.status, 201, JSON.stringify(upCsv.body));
    assert.equal(upCsv.body.size, 2);
  });

  it('forgets an erased recipient in topics and uploaded audiences', async () => {
    assert.equal((await api.put('/v1/recipients/gone', { email: 'gone@example.com' })).status, 201);
    await api.put('/v1/topics/trader:99/subscribers', { recipients: ['gone', 'f1'] });
    const up = await api.post('/v1/audiences', '{"id":"gone","data":{"secret":"x"}}\n"f1"\n', {
      'content-type': 'application/x-ndjson',
    });
    assert.equal(up.status, 201);
    assert.equal((await api.delete('/v1/recipients/gone')).status, 200);
    const left = await api.get('/v1/topics/trader:99/subscribers');
    assert.deepEqual(
      left.body.subscribers.map((s: { id: string }) => s.id),
      ['f1'],
    );
    const { rows } = await sql<{ id: string }>`
      select recipient_id as id from audience_members where audience_id = ${up.body.id}`.execute(herald.db);
    assert.deepEqual(
      rows.map((r) => r.id),
      ['f1'],
    );
  });

  it('refuses a bad upload line by number and stores nothing', async () => {
    const bad = await api.post('/v1/audiences', '"f1"\n{"id":"has space"}\n', {
      'content-type': 'application/x-ndjson',
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.code, 'invalid_audience_line');
    assert.equal(bad.body.error.details.line, 2);
    const badCsv = await api.post('/v1/audiences', 'name\nf1\n', { 'content-type': 'text/csv' });
    assert.equal(badCsv.status, 422);
    const wrongType = await api.post('/v1/audiences', { id: 'f1' });
    assert.equal(wrongType.status, 415);
    const { rows } = await (
      await import('kysely')
    ).sql<{
      n: number;
    }>`select count(*)::int as n from audiences a where not exists (select 1 from audience_members m where m.audience_id = a.id)`.execute(
      herald.db,
    );
    assert.equal(rows[0]?.n, 0);
  });
});
