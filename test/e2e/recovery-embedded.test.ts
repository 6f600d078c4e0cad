/**
 * Embedded mode killed mid-send: the restarted process took the data-folder lock, so it knows the
 * process that held the leases is dead and hands its deliveries back at once — not after
 * `worker.leaseMs`, set to ten minutes here so the difference cannot be missed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { client, eventually, registerService, waitForNotification } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig, type HeraldProcess } from '../helpers/herald-process.ts';
import { startWebhookReceiver, TEST_WEBHOOK_SECRET } from '../fakes/webhook-receiver.ts';

describe('embedded restart after SIGKILL', () => {
  it('retries every delivery the dead process held at once, recording the lost attempt', async () => {
    // The provider takes each message and answers only much later: the sends are in flight.
    const receiver = await startWebhookReceiver({ mode: { kind: 'slow', delayMs: 120_000 } });
    const dataDir = tempDir('herald-recover-');
    const env = {
      HERALD_DATA_DIR: dataDir,
      HERALD_CONFIG: writeConfig(dataDir, {
        allowPrivateWebhookUrls: true,
        providers: {
          webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET, timeoutMs: 60_000 }],
        },
        worker: { leaseMs: 600_000, concurrency: 8 },
      }),
    };
    let herald: HeraldProcess | undefined = await startHeraldProcess('start', env);
    try {
      const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      const service = await registerService(client(herald.url, adminToken));
      let api = client(herald.url, service.apiKey);
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await api.post('/v1/notifications', {
          type: 'order_shipped',
          recipient: { id: `r${i}` },
          channels: ['webhook'],
          content: { webhook: { url: receiver.url, payload: { i } } },
        });
        assert.equal(res.status, 202);
        ids.push(res.body.id);
      }
      await eventually(async () => receiver.pending() >= 8, { what: 'eight sends in flight' });
      const held = new Set(receiver.received);

      await herald.stop('SIGKILL');
      receiver.mode = { kind: 'accept' };
      herald = await startHeraldProcess('start', env);
      api = client(herald.url, service.apiKey);

      // With a ten-minute lease, only the restart's own reclaim can finish these in time.
      for (const id of ids) await waitForNotification(api, id, 'completed', 60_000);
      let retried = 0;
      for (const id of ids) {
        const n = (await api.get(`/v1/notifications/${id}`)).body;
        const [d] = n.deliveries;
        assert.equal(d.status, 'sent');
        const outcomes = d.attempts.map((a: { outcome: string }) => a.outcome);
        if (held.has(d.id)) {
          retried += 1;
          // The attempt the dead process made is on record, then the retry that succeeded.
          assert.deepEqual(outcomes, ['lease_expired', 'sent'], `delivery ${d.id}`);
          assert.equal(d.attempts[0].errorCode, 'lease_expired');
        } else {
          assert.equal(outcomes.at(-1), 'sent');
        }
      }
      assert.equal(retried, held.size);
      assert.ok(held.size >= 8);
      // Every held message reached the provider again: the duplicate the lease_expired attempt explains.
      for (const id of held) assert.equal(receiver.receipts.filter((r) => r.id === id).length, 2);
    } finally {
      await herald?.stop();
      await receiver.close();
    }
  });
});
