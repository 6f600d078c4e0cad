/** Twilio and Vonage against their fakes: wire format, each error class, and the engine's outcome. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTwilioSender } from '../../src/adapters/channels/twilio/twilio-sender.ts';
import { createVonageSender } from '../../src/adapters/channels/vonage/vonage-sender.ts';
import type { Sender } from '../../src/ports/sender.ts';
import { startTwilioFake } from '../fakes/twilio-fake.ts';
import { startVonageFake } from '../fakes/vonage-fake.ts';
import type { FakeHttp } from '../fakes/fake-http.ts';
import { laneHarness, type LaneHarness } from '../helpers/lane.ts';
import { skipWithoutPg } from '../helpers/pg.ts';
import { expectFailed, expectRateLimited, expectRetried, expectSent } from './expect.ts';

const SID = `AC${'a1'.repeat(16)}`;
const TOKEN = 'twilio-auth-token';

describe('SMS senders', { skip: skipWithoutPg, timeout: 60_000 }, () => {
  let h: LaneHarness;
  before(async () => {
    h = await laneHarness();
  });
  after(async () => {
    await h?.close();
  });

  describe('Twilio', () => {
    let fake: FakeHttp<any>;
    let sender: Sender;
    before(async () => {
      fake = await startTwilioFake(SID, TOKEN);
      sender = createTwilioSender({
        name: 'twilio',
        accountSid: SID,
        authToken: TOKEN,
        from: '+15005550006',
        statusCallbackUrl: 'https://herald.example/v1/receipts/twilio',
        baseUrl: fake.url,
        timeoutMs: 500,
      });
    });
    after(async () => {
      await sender?.close?.();
      await fake?.close();
    });

    it('posts the form with basic auth and StatusCallback, and keeps the SM sid', async () => {
      const out = await h.run(sender, await h.enqueue('sms', '+33612345678', { text: 'Code 1234' }));
      expectSent(out, 'twilio');
      assert.match(out.providerMessageId ?? '', /^SM[0-9a-f]{32}$/);
      const form = new URLSearchParams(fake.requests.at(-1)!.body);
      assert.equal(form.get('To'), '+33612345678');
      assert.equal(form.get('From'), '+15005550006');
      assert.equal(form.get('Body'), 'Code 1234');
      assert.equal(form.get('StatusCallback'), 'https://herald.example/v1/receipts/twilio');
    });

    for (const [scenario, code] of [
      ['invalid_address', 'invalid_address'],
      ['recipient_unsubscribed', 'recipient_unsubscribed'],
      ['unsupported_destination', 'unsupported_destination'],
      ['not_mobile', 'invalid_address'],
    ] as const) {
      it(`fails for good on ${scenario}`, async () => {
        fake.answer(scenario);
        expectFailed(await h.run(sender, await h.enqueue('sms', '+33612345678', { text: 'x' })), code);
      });
    }

    it('retries a server error, a wrong token, and a timeout', async () => {
      fake.answer('server_error');
      expectRetried(
        await h.run(sender, await h.enqueue('sms', '+33612345678', { text: 'x' })),
        'transient',
        'twilio_internal_error',
      );
      const wrong = createTwilioSender({
        name: 'twilio',
        accountSid: SID,
        authToken: 'nope',
        from: '+1',
        baseUrl: fake.url,
      });
      expectRetried(
        await h.run(wrong, await h.enqueue('sms', '+33612345678', { text: 'x' })),
        'transient',
        'auth_failed',
      );
      await wrong.close?.();
      fake.answer('hang');
      expectRetried(
        await h.run(sender, await h.enqueue('sms', '+33612345678', { text: 'x' })),
        'transient',
        'timeout',
      );
    });

    it('waits at least Retry-After on 20429', async () => {
      fake.answer('rate_limited');
      expectRateLimited(await h.run(sender, await h.enqueue('sms', '+33612345678', { text: 'x' })), 120_000);
    });
  });

  describe('Vonage', () => {
    let fake: FakeHttp<any>;
    let sender: Sender;
    before(async () => {
      fake = await startVonageFake('vkey', 'vsecret');
      sender = createVonageSender({
        name: 'vonage',
        apiKey: 'vkey',
        apiSecret: 'vsecret',
        from: 'Acme',
        baseUrl: fake.url,
        timeoutMs: 500,
      });
    });
    after(async () => {
      await sender?.close?.();
      await fake?.close();
    });

    it('sends the form without the leading + and keeps the message-id', async () => {
      const id = await h.enqueue('sms', '+447700900123', { text: 'Hello' });
      const out = await h.run(sender, id);
      expectSent(out, 'vonage');
      assert.match(out.providerMessageId ?? '', /^[0-9a-f]{32}$/);
      const form = new URLSearchParams(fake.requests.at(-1)!.body);
      assert.equal(form.get('to'), '447700900123');
      assert.equal(form.get('client-ref'), id);
      assert.equal(form.get('type'), null);
    });

    it('marks non-GSM text as unicode', async () => {
      await h.run(sender, await h.enqueue('sms', '+447700900123', { text: 'Привет 👋' }));
      assert.equal(new URLSearchParams(fake.requests.at(-1)!.body).get('type'), 'unicode');
    });

    for (const [scenario, code] of [
      ['missing_params', 'invalid_request'],
      ['invalid_params', 'invalid_address'],
      ['invalid_message', 'invalid_address'],
      ['number_barred', 'number_barred'],
    ] as const) {
      it(`fails for good on a 200 carrying status ${scenario}`, async () => {
        fake.answer(scenario);
        expectFailed(await h.run(sender, await h.enqueue('sms', '+447700900123', { text: 'x' })), code);
      });
    }

    it('treats status 1 (throttled) as rate limited and 5 as transient', async () => {
      fake.answer('throttled');
      expectRetried(
        await h.run(sender, await h.enqueue('sms', '+447700900123', { text: 'x' })),
        'rate_limited',
        'rate_limited',
      );
      fake.answer('internal_error');
      expectRetried(
        await h.run(sender, await h.enqueue('sms', '+447700900123', { text: 'x' })),
        'transient',
        'vonage_internal_error',
      );
    });

    it('waits at least Retry-After on an HTTP 429, and times out a hang', async () => {
      fake.answer('http_429');
      expectRateLimited(await h.run(sender, await h.enqueue('sms', '+447700900123', { text: 'x' })), 120_000);
      fake.answer('hang');
      expectRetried(
        await h.run(sender, await h.enqueue('sms', '+447700900123', { text: 'x' })),
        'transient',
        'timeout',
      );
    });
  });
});
