/** Amazon SES v2 against its fake, which checks the SigV4 signature independently. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSesSender } from '../../src/adapters/channels/ses/ses-sender.ts';
import type { Sender } from '../../src/ports/sender.ts';
import { startSesFake } from '../fakes/ses-fake.ts';
import type { FakeHttp } from '../fakes/fake-http.ts';
import { laneHarness, type LaneHarness } from '../helpers/lane.ts';
import { skipWithoutPg } from '../helpers/pg.ts';
import { expectFailed, expectRateLimited, expectRetried, expectSent } from './expect.ts';

const content = { subject: 'Hello', text: 'Plain', html: '<p>Rich</p>' };
const settings = {
  name: 'ses',
  region: 'eu-west-1',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  from: 'noreply@acme.test',
  configurationSet: 'herald-events',
  timeoutMs: 500,
};

describe('SES sender', { skip: skipWithoutPg, timeout: 60_000 }, () => {
  let fake: FakeHttp<any>;
  let h: LaneHarness;
  let sender: Sender;

  before(async () => {
    fake = await startSesFake({ [settings.accessKeyId]: settings.secretAccessKey });
    h = await laneHarness();
    sender = createSesSender({ ...settings, baseUrl: fake.url });
  });
  after(async () => {
    await sender?.close?.();
    await h?.close();
    await fake?.close();
  });

  it('signs SendEmail with SigV4, tags the delivery id and keeps the MessageId', async () => {
    const id = await h.enqueue('email', 'ann@example.com', content);
    const out = await h.run(sender, id);
    expectSent(out, 'ses');
    assert.match(out.providerMessageId ?? '', /^0100[0-9a-f]{32}-000000$/);
    const body = JSON.parse(fake.requests.at(-1)!.body);
    assert.deepEqual(body.Destination, { ToAddresses: ['ann@example.com'] });
    assert.equal(body.Content.Simple.Subject.Data, 'Hello');
    assert.equal(body.Content.Simple.Body.Html.Data, '<p>Rich</p>');
    assert.deepEqual(body.EmailTags, [{ Name: 'delivery_id', Value: id }]);
    assert.equal(body.ConfigurationSetName, 'herald-events');
  });

  it('is refused by the fake when the secret is wrong (the signature is really checked)', async () => {
    const wrong = createSesSender({ ...settings, secretAccessKey: 'not-the-secret', baseUrl: fake.url });
    try {
      expectRetried(
        await h.run(wrong, await h.enqueue('email', 'ann@example.com', content)),
        'transient',
        'auth_failed',
      );
    } finally {
      await wrong.close?.();
    }
  });

  for (const scenario of [
    'message_rejected',
    'sender_not_verified',
    'configuration_not_found',
    'invalid_request',
  ] as const) {
    it(`fails the delivery for good on ${scenario}`, async () => {
      fake.answer(scenario);
      expectFailed(await h.run(sender, await h.enqueue('email', 'ann@example.com', content)), scenario);
    });
  }

  it('retries InternalFailure and a paused account', async () => {
    fake.answer('internal');
    expectRetried(
      await h.run(sender, await h.enqueue('email', 'a@b.test', content)),
      'transient',
      'ses_internal_failure',
    );
    fake.answer('sending_paused');
    expectRetried(
      await h.run(sender, await h.enqueue('email', 'a@b.test', content)),
      'transient',
      'sending_paused',
    );
  });

  it('waits at least Retry-After on TooManyRequestsException', async () => {
    fake.answer('rate_limited');
    expectRateLimited(await h.run(sender, await h.enqueue('email', 'a@b.test', content)), 120_000);
  });

  it('times out and retries', async () => {
    fake.answer('hang');
    expectRetried(await h.run(sender, await h.enqueue('email', 'a@b.test', content)), 'transient', 'timeout');
  });
});
