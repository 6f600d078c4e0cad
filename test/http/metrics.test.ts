/**
 * /metrics after a known workload reports exactly that workload; and metrics are the operator's:
 * on the API port they need the metrics or the admin token, and with a metrics port they are
 * served there alone.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { Herald } from '../../src/main.ts';
import { client, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { tempDir, writeConfig } from '../helpers/herald-process.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

const METRICS_TOKEN = 'metrics-token-0123456789';

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('Prometheus metrics', () => {
  let herald: Herald;
  let smtp: TestSmtp;
  let api: Client;
  let serviceKey = '';

  before(async () => {
    smtp = await startSmtp();
    herald = await startInProcess({
      env: {
        HERALD_SMTP_URL: smtp.url,
        HERALD_METRICS_TOKEN: METRICS_TOKEN,
        HERALD_CONFIG: writeConfig(tempDir(), { retry: { default: { maxAttempts: 1 } } }),
      },
    });
    serviceKey = (await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN))).apiKey;
    api = client(herald.url ?? '', serviceKey);
    await api.put('/v1/recipients/ann', { email: 'ann@example.com', phone: '+14155552671' });
  });
  after(async () => {
    await herald?.stop();
    await smtp?.close();
  });

  const send = (channels: string[], extra: Record<string, unknown> = {}) =>
    api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: 'ann',
      channels,
      content: { email: { subject: 's', text: 't' }, sms: { text: 'hi' } },
      ...extra,
    });

  it('counts accepted notifications, settled deliveries by outcome, and dead letters', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await send(['email'])).body.id);
    ids.push((await send(['email', 'sms'], { priority: 'critical', idempotencyKey: 'k1' })).body.id);
    assert.equal(
      (await send(['email', 'sms'], { priority: 'critical', idempotencyKey: 'k1' })).status,
      202,
      'replay',
    );
    for (const id of ids) await waitForNotification(api, id);

    smtp.mode = { kind: 'refuse', code: 451, message: 'try later' };
    const dead = (await send(['email'])).body.id;
    await waitForNotification(api, dead);
    smtp.mode = { kind: 'refuse', code: 550, message: 'no such user' };
    const failed = (await send(['email'])).body.id;
    await waitForNotification(api, failed);

    const res = await fetch(`${herald.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.equal(sample(text, 'herald_notifications_accepted_total', { priority: 'normal' }), 6);
    assert.equal(
      sample(text, 'herald_notifications_accepted_total', { priority: 'critical' }),
      1,
      'the replay is not counted',
    );
    assert.equal(
      sample(text, 'herald_deliveries_total', { channel: 'email', provider: 'smtp', status: 'sent' }),
      5,
    );
    assert.equal(
      sample(text, 'herald_deliveries_total', { channel: 'sms', provider: 'capture', status: 'sent' }),
      1,
    );
    assert.equal(
      sample(text, 'herald_deliveries_total', { channel: 'email', status: 'dead', outcome: 'transient' }),
      1,
    );
    assert.equal(
      sample(text, 'herald_deliveries_total', { channel: 'email', status: 'failed', outcome: 'permanent' }),
      1,
    );
    assert.equal(
      sample(text, 'herald_attempt_duration_seconds_count', {
        channel: 'email',
        provider: 'smtp',
        outcome: 'sent',
      }),
      5,
    );
    assert.equal(sample(text, 'herald_delivery_latency_seconds_count', { channel: 'email' }), 5);
    assert.equal(sample(text, 'herald_dead_letters', { channel: 'email' }), 1);
    assert.equal(sample(text, 'herald_notifications_planning'), 0);
    assert.equal(sample(text, 'herald_lane_backlog', { channel: 'email' }), undefined, 'nothing is waiting');
    assert.ok((sample(text, 'herald_process_resident_memory_bytes') ?? 0) > 0);
  });

  it('answers 401 on the API port without the metrics or the admin token', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token-0123456789',
      `Bearer ${serviceKey}`,
      `Basic ${METRICS_TOKEN}`,
    ]) {
      const res = await fetch(`${herald.url}/metrics`, authorization ? { headers: { authorization } } : {});
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(res.status, 401, String(authorization));
      assert.equal(body.error.code, 'unauthorized');
    }
    const asAdmin = await fetch(`${herald.url}/metrics`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(asAdmin.status, 200);
    assert.match(await asAdmin.text(), /herald_notifications_accepted_total/);
  });
});

describe('Prometheus metrics on a port of their own', () => {
  it('serves them there, and not on the API port, even to the admin', async () => {
    const port = await freePort();
    const herald = await startInProcess({ worker: false, env: { HERALD_METRICS_PORT: String(port) } });
    try {
      const onApi = await fetch(`${herald.url}/metrics`, {
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      assert.equal(onApi.status, 404);
      assert.equal(((await onApi.json()) as { error: { code: string } }).error.code, 'not_found');
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(scraped.status, 200);
      assert.match(await scraped.text(), /herald_process_resident_memory_bytes/);
    } finally {
      await herald.stop();
    }
  });
});
