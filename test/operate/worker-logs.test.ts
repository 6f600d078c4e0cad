/**
 * Worker logs are JSON lines that name what they are about: every line about a delivery carries its
 * notification and delivery ids, so one delivery's story can be found with a grep.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { startHerald, type Herald } from '../../src/main.ts';
import { client, registerService, waitForNotification } from '../helpers/api.ts';
import { TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../fakes/webhook-receiver.ts';

describe('worker logs', () => {
  let herald: Herald;
  let receiver: WebhookReceiver;
  const lines: Record<string, any>[] = [];

  before(async () => {
    receiver = await startWebhookReceiver({ mode: { kind: 'status', status: 503 } });
    const file = join(mkdtempSync(join(tmpdir(), 'herald-logs-')), 'herald.json');
    writeFileSync(
      file,
      JSON.stringify({
        breaker: { failureThreshold: 1000 },
        // The test's webhook receiver listens on loopback.
        allowPrivateWebhookUrls: true,
        providers: { webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET }] },
        retry: { default: {}, webhook: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } },
      }),
    );
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l));
        done();
      },
    });
    const config = loadConfig({
      HERALD_DATA_DIR: 'memory://',
      HERALD_PORT: '0',
      HERALD_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      HERALD_CONFIG: file,
    });
    herald = await startHerald(config, { api: true, worker: true }, pino({ level: 'debug' }, sink));
  });

  after(async () => {
    await herald?.stop();
    await receiver?.close();
  });

  it('names the notification and delivery on every line about a delivery', async () => {
    const s = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Logs');
    const api = client(herald.url ?? '', s.apiKey);
    const res = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: { id: 'ann', email: 'ann@example.com' },
      channels: ['webhook', 'email'],
      content: { webhook: { url: receiver.url, payload: {} }, email: { subject: 's', text: 't' } },
    });
    const n = await waitForNotification(api, res.body.id);
    const hook = n.deliveries.find((d: any) => d.channel === 'webhook');
    const mail = n.deliveries.find((d: any) => d.channel === 'email');
    assert.equal(hook.status, 'dead');

    const settled = lines.filter((l) => l.msg === 'delivery attempt settled');
    const about = (id: string) => settled.filter((l) => l.deliveryId === id);
    assert.deepEqual(
      about(hook.id).map((l) => [l.attempt, l.status, l.errorCode, l.level]),
      [
        [1, 'queued', 'webhook_503', 30],
        [2, 'dead', 'webhook_503', 40],
      ],
    );
    assert.deepEqual(
      about(mail.id).map((l) => [l.status, l.provider, l.level]),
      [['sent', 'capture', 20]],
    );
    for (const l of lines.filter((x) => x.deliveryId || /deliver/i.test(String(x.msg)))) {
      if (l.msg === 'channel ready' || l.msg === 'channel not configured') continue;
      assert.equal(l.notificationId, res.body.id, JSON.stringify(l));
      assert.match(l.deliveryId, /^[0-9a-f-]{36}$/);
    }
  });
});
