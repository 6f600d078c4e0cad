/** FCM HTTP v1 and APNs (HTTP/2) against their fakes, which check OAuth tokens and ES256 provider tokens. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createFcmSender } from '../../src/adapters/channels/fcm/fcm-sender.ts';
import { createApnsSender } from '../../src/adapters/channels/apns/apns-sender.ts';
import { addressIsGone } from '../../src/domain/address-errors.ts';
import type { Sender } from '../../src/ports/sender.ts';
import { startFcmFake, type FcmFake } from '../fakes/fcm-fake.ts';
import { startApnsFake, type ApnsFake } from '../fakes/apns-fake.ts';
import { laneHarness, type LaneHarness } from '../helpers/lane.ts';
import { skipWithoutPg } from '../helpers/pg.ts';
import { expectFailed, expectRateLimited, expectRetried, expectSent } from './expect.ts';

const DEVICE = 'a'.repeat(64);
const push = { title: 'Order shipped', body: 'On its way', data: { order: 'A-1', items: 3 } };

describe('push senders', { skip: skipWithoutPg, timeout: 60_000 }, () => {
  let h: LaneHarness;
  before(async () => {
    h = await laneHarness();
  });
  after(async () => {
    await h?.close();
  });

  describe('FCM HTTP v1', () => {
    let fake: FcmFake;
    let sender: Sender;
    before(async () => {
      fake = await startFcmFake();
      sender = createFcmSender({
        name: 'fcm',
        serviceAccount: fake.serviceAccount,
        baseUrl: fake.url,
        timeoutMs: 500,
      });
    });
    after(async () => {
      await sender?.close?.();
      await fake?.close();
    });

    it('exchanges a signed assertion for a token, caches it, and sends the v1 message', async () => {
      const first = await h.run(sender, await h.enqueue('push', 'fcm-token-1', push));
      expectSent(first, 'fcm');
      assert.match(first.providerMessageId ?? '', /^projects\/herald-test\/messages\/0:/);
      expectSent(await h.run(sender, await h.enqueue('push', 'fcm-token-1', push)), 'fcm');
      assert.equal(fake.tokenRequests, 1, 'the access token is reused');
      const body = JSON.parse(fake.requests.at(-1)!.body);
      assert.equal(body.message.token, 'fcm-token-1');
      assert.deepEqual(body.message.notification, { title: 'Order shipped', body: 'On its way' });
      assert.equal(body.message.data.items, '3');
    });

    it('gets a fresh token after the old one is refused with 401', async () => {
      fake.revokeTokens();
      expectRetried(await h.run(sender, await h.enqueue('push', 't', push)), 'transient', 'auth_failed');
      expectSent(await h.run(sender, await h.enqueue('push', 't', push)), 'fcm');
      assert.equal(fake.tokenRequests, 2);
    });

    it('is refused a token when the assertion is signed with another key', async () => {
      const { generateKeyPairSync } = await import('node:crypto');
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      const wrong = createFcmSender({
        name: 'fcm',
        serviceAccount: { ...fake.serviceAccount, private_key: other },
        baseUrl: fake.url,
        timeoutMs: 2000,
      });
      try {
        expectRetried(await h.run(wrong, await h.enqueue('push', 't', push)), 'transient', 'auth_failed');
      } finally {
        await wrong.close?.();
      }
    });

    for (const [scenario, code] of [
      ['unregistered', 'token_unregistered'],
      ['sender_id_mismatch', 'token_invalid'],
      ['invalid_argument', 'invalid_request'],
    ] as const) {
      it(`fails for good on ${scenario}`, async () => {
        fake.answer(scenario);
        expectFailed(await h.run(sender, await h.enqueue('push', 't', push)), code);
      });
    }

    it('tells the engine to deactivate UNREGISTERED and SENDER_ID_MISMATCH tokens', () => {
      assert.ok(addressIsGone('token_unregistered') && addressIsGone('token_invalid'));
      assert.ok(!addressIsGone('invalid_request'));
    });

    it('retries UNAVAILABLE and INTERNAL, honours Retry-After on QUOTA_EXCEEDED, times out a hang', async () => {
      fake.answer('unavailable');
      expectRetried(await h.run(sender, await h.enqueue('push', 't', push)), 'transient', 'fcm_unavailable');
      fake.answer('internal');
      expectRetried(
        await h.run(sender, await h.enqueue('push', 't', push)),
        'transient',
        'fcm_internal_error',
      );
      fake.answer('quota_exceeded');
      expectRateLimited(await h.run(sender, await h.enqueue('push', 't', push)), 120_000);
      fake.answer('hang');
      expectRetried(await h.run(sender, await h.enqueue('push', 't', push)), 'transient', 'timeout');
    });
  });

  describe('APNs over HTTP/2', () => {
    let fake: ApnsFake;
    let sender: Sender;
    before(async () => {
      fake = await startApnsFake();
      sender = createApnsSender({
        name: 'apns',
        teamId: fake.teamId,
        keyId: fake.keyId,
        privateKey: fake.privateKey,
        topic: fake.topic,
        baseUrl: fake.url,
        timeoutMs: 500,
      });
    });
    after(async () => {
      await sender?.close?.();
      await fake?.close();
    });

    it('sends with a valid ES256 provider token and the APNs headers', async () => {
      const id = await h.enqueue('push', DEVICE, {
        ...push,
        collapseId: 'order-A-1',
        expiration: 1900000000,
        badge: 2,
      });
      const out = await h.run(sender, id);
      expectSent(out, 'apns');
      assert.equal(out.providerMessageId, id);
      const req = fake.requests.at(-1)!;
      assert.equal(req.path, `/3/device/${DEVICE}`);
      assert.equal(req.headers['apns-topic'], 'com.acme.app');
      assert.equal(req.headers['apns-push-type'], 'alert');
      assert.equal(req.headers['apns-priority'], '10');
      assert.equal(req.headers['apns-collapse-id'], 'order-A-1');
      assert.equal(req.headers['apns-expiration'], '1900000000');
      const body = JSON.parse(req.body);
      assert.deepEqual(body.aps, { alert: { title: 'Order shipped', body: 'On its way' }, badge: 2 });
      assert.equal(body.order, 'A-1');
    });

    it('reuses one provider token across sends (no TooManyProviderTokenUpdates)', async () => {
      await h.run(sender, await h.enqueue('push', DEVICE, push));
      const iats = new Set(fake.requests.map((r) => r.jwtIat).filter((x) => x !== undefined));
      assert.equal(iats.size, 1);
    });

    it('sends a data-only push as background with priority 5', async () => {
      expectSent(
        await h.run(
          sender,
          await h.enqueue('push', DEVICE, { data: { sync: true }, aps: { 'content-available': 1 } }),
        ),
        'apns',
      );
      const req = fake.requests.at(-1)!;
      assert.equal(req.headers['apns-push-type'], 'background');
      assert.equal(req.headers['apns-priority'], '5');
    });

    it('is refused with InvalidProviderToken when signed by another key', async () => {
      const { generateKeyPairSync } = await import('node:crypto');
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      const wrong = createApnsSender({
        name: 'apns',
        teamId: fake.teamId,
        keyId: fake.keyId,
        privateKey: other,
        topic: fake.topic,
        baseUrl: fake.url,
      });
      try {
        expectRetried(await h.run(wrong, await h.enqueue('push', DEVICE, push)), 'transient', 'auth_failed');
      } finally {
        await wrong.close?.();
      }
    });

    it('fails a malformed device token for good as BadDeviceToken (from the fake’s own check)', async () => {
      expectFailed(await h.run(sender, await h.enqueue('push', 'not-a-token', push)), 'token_invalid');
    });

    for (const [scenario, code] of [
      ['bad_device_token', 'token_invalid'],
      ['device_token_not_for_topic', 'token_invalid'],
      ['unregistered', 'token_unregistered'],
      ['payload_too_large', 'payload_too_large'],
    ] as const) {
      it(`fails for good on ${scenario}`, async () => {
        fake.answer(scenario);
        expectFailed(await h.run(sender, await h.enqueue('push', DEVICE, push)), code);
      });
    }

    it('retries 500 and 503, honours Retry-After on 429, times out a hang', async () => {
      fake.answer('internal');
      expectRetried(
        await h.run(sender, await h.enqueue('push', DEVICE, push)),
        'transient',
        'apns_internal_error',
      );
      fake.answer('unavailable');
      expectRetried(
        await h.run(sender, await h.enqueue('push', DEVICE, push)),
        'transient',
        'apns_unavailable',
      );
      fake.answer('too_many_requests');
      expectRateLimited(await h.run(sender, await h.enqueue('push', DEVICE, push)), 120_000);
      fake.answer('hang');
      expectRetried(await h.run(sender, await h.enqueue('push', DEVICE, push)), 'transient', 'timeout');
      // The session survives a cancelled stream.
      expectSent(await h.run(sender, await h.enqueue('push', DEVICE, push)), 'apns');
    });
  });
});
