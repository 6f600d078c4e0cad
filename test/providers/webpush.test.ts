/** Web push against a push service fake that verifies VAPID and decrypts the aes128gcm payload. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import webpush from 'web-push';
import { createWebPushSender } from '../../src/adapters/channels/webpush/webpush-sender.ts';
import { targetsFor } from '../../src/domain/channels.ts';
import type { Sender } from '../../src/ports/sender.ts';
import { startWebPushFake, type WebPushFake } from '../fakes/webpush-fake.ts';
import { laneHarness, type LaneHarness } from '../helpers/lane.ts';
import { skipWithoutPg } from '../helpers/pg.ts';
import { expectFailed, expectRateLimited, expectRetried, expectSent } from './expect.ts';

const content = { title: 'New message', body: 'Ann wrote to you', url: '/inbox' };

describe('web push sender', { skip: skipWithoutPg, timeout: 60_000 }, () => {
  let fake: WebPushFake;
  let h: LaneHarness;
  let sender: Sender;
  const vapid = webpush.generateVAPIDKeys();

  before(async () => {
    fake = await startWebPushFake(vapid.publicKey);
    h = await laneHarness();
    sender = createWebPushSender({
      name: 'webpush',
      subject: 'mailto:ops@acme.test',
      publicKey: vapid.publicKey,
      privateKey: vapid.privateKey,
      endpointPattern: '^http://127\\.0\\.0\\.1:',
      timeoutMs: 500,
    });
  });
  after(async () => {
    await sender?.close?.();
    await h?.close();
    await fake?.close();
  });

  const address = () => JSON.stringify(fake.subscribe());

  it('delivers a payload the push service can decrypt with the subscription keys', async () => {
    const to = address();
    const id = await h.enqueue('web_push', to, content);
    expectSent(await h.run(sender, id), 'webpush');
    const got = fake.received.at(-1)!;
    assert.equal(got.endpoint, JSON.parse(to).endpoint);
    assert.deepEqual(JSON.parse(got.plaintext), { ...content, delivery_id: id });
  });

  it('sends to the address the planner makes of a registered web device', async () => {
    const sub = fake.subscribe();
    const [target] = targetsFor('web_push', {
      id: 'ann',
      devices: [{ id: 'dev-1', platform: 'web', token: sub.endpoint, keys: sub.keys, active: true }],
    });
    assert.ok(target);
    const id = await h.enqueue('web_push', target.address, content);
    expectSent(await h.run(sender, id), 'webpush');
    const got = fake.received.at(-1)!;
    assert.equal(got.endpoint, sub.endpoint);
    assert.deepEqual(JSON.parse(got.plaintext), { ...content, delivery_id: id });
  });

  it('is refused when signed with a VAPID key the service does not expect', async () => {
    const other = webpush.generateVAPIDKeys();
    const wrong = createWebPushSender({
      name: 'webpush',
      subject: 'mailto:a@b.test',
      ...other,
      endpointPattern: '^http://',
    });
    try {
      expectRetried(
        await h.run(wrong, await h.enqueue('web_push', address(), content)),
        'transient',
        'auth_failed',
      );
    } finally {
      await wrong.close?.();
    }
  });

  for (const scenario of ['gone', 'not_found'] as const) {
    it(`removes the subscription on ${scenario}`, async () => {
      fake.answer(scenario);
      expectFailed(await h.run(sender, await h.enqueue('web_push', address(), content)), 'subscription_gone');
    });
  }

  it('fails a payload over the limit and an address that is no subscription', async () => {
    fake.answer('too_large');
    expectFailed(await h.run(sender, await h.enqueue('web_push', address(), content)), 'payload_too_large');
    expectFailed(
      await h.run(sender, await h.enqueue('web_push', '{"endpoint":"http://10.0.0.1/x"}', content)),
      'invalid_address',
    );
  });

  it('refuses an endpoint outside endpointPattern as the configuration, not as a gone subscription', async () => {
    const outside = JSON.stringify({ ...fake.subscribe(), endpoint: 'https://push.example.net/x' });
    const before = fake.requests.length;
    expectFailed(await h.run(sender, await h.enqueue('web_push', outside, content)), 'endpoint_not_allowed');
    assert.equal(fake.requests.length, before, 'nothing is sent');
  });

  it('retries a 503, honours Retry-After on 429, and times out a hang', async () => {
    fake.answer('server_error');
    expectRetried(
      await h.run(sender, await h.enqueue('web_push', address(), content)),
      'transient',
      'webpush_http_503',
    );
    fake.answer('rate_limited');
    expectRateLimited(await h.run(sender, await h.enqueue('web_push', address(), content)), 120_000);
    fake.answer('hang');
    expectRetried(
      await h.run(sender, await h.enqueue('web_push', address(), content)),
      'transient',
      'timeout',
    );
  });
});
