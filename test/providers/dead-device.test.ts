/**
 * A push provider saying a token is gone deactivates that device: the delivery fails with the
 * provider's code, the device is listed inactive, and the next push has nowhere to go.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Herald } from '../../src/main.ts';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { tempDir, writeConfig } from '../helpers/herald-process.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { startApnsFake, type ApnsFake } from '../fakes/apns-fake.ts';

describe('dead device tokens', () => {
  let fake: ApnsFake;
  let herald: Herald;
  let api: Client;

  before(async () => {
    fake = await startApnsFake();
    herald = await startInProcess({
      env: {
        HERALD_CONFIG: writeConfig(tempDir(), {
          providers: {
            push: [
              {
                name: 'apns',
                type: 'apns',
                teamId: fake.teamId,
                keyId: fake.keyId,
                privateKey: fake.privateKey,
                topic: fake.topic,
                baseUrl: fake.url,
              },
            ],
          },
        }),
      },
    });
    api = client(
      herald.url ?? '',
      (await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN))).apiKey,
    );
    await api.put('/v1/recipients/ann', { email: 'ann@example.com' });
  });
  after(async () => {
    await herald?.stop();
    await fake?.close();
  });

  const push = () =>
    api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: 'ann',
      channels: ['push'],
      content: { push: { title: 'Shipped', body: 'Your order is on its way' } },
    });

  it('deactivates a device APNs calls Unregistered, and sends to it no more', async () => {
    const live = await api.post('/v1/recipients/ann/devices', { platform: 'ios', token: 'a'.repeat(64) });
    const dead = await api.post('/v1/recipients/ann/devices', { platform: 'ios', token: 'b'.repeat(64) });
    assert.equal(live.status, 201);
    assert.equal(dead.status, 201);

    // One answer per device, in the order the lane sends them; which device gets which is read back.
    fake.answer('unregistered');
    const first = await push();
    assert.equal(first.status, 202);
    const n = await waitForNotification(api, first.body.id);
    const failed = n.deliveries.filter((d: any) => d.status === 'failed');
    const sent = n.deliveries.filter((d: any) => d.status === 'sent');
    assert.equal(failed.length, 1);
    assert.equal(sent.length, 1);
    assert.equal(failed[0].reason, 'token_unregistered');
    const goneToken = failed[0].address;

    const devices = await eventually(
      async () => {
        const list = await api.get('/v1/recipients/ann/devices');
        return list.body.data.some((d: any) => !d.active) ? list.body.data : undefined;
      },
      { what: 'the unregistered device to be deactivated' },
    );
    assert.deepEqual(
      devices.map((d: any) => [d.token, d.active]).sort(),
      [
        [goneToken, false],
        [sent[0].address, true],
      ].sort(),
    );

    const before = fake.requests.length;
    const second = await push();
    const n2 = await waitForNotification(api, second.body.id);
    assert.deepEqual(
      n2.deliveries.map((d: any) => [d.address, d.status]),
      [[sent[0].address, 'sent']],
    );
    assert.equal(fake.requests.length, before + 1, 'the dead token is not tried again');
  });
});
