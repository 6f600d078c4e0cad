/** SendGrid against its fake: the wire format, every error class, and what the engine does with each. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSendGridSender } from '../../src/adapters/channels/sendgrid/sendgrid-sender.ts';
import type { Sender } from '../../src/ports/sender.ts';
import { startSendGridFake } from '../fakes/sendgrid-fake.ts';
import type { FakeHttp } from '../fakes/fake-http.ts';
import { laneHarness, type LaneHarness } from '../helpers/lane.ts';
import { skipWithoutPg } from '../helpers/pg.ts';
import { expectFailed, expectRateLimited, expectRetried, expectSent } from './expect.ts';

const KEY = 'SG.test-key.abcdef';
const content = { subject: 'Hello', text: 'Plain', html: '<p>Rich</p>' };

describe('SendGrid sender', { skip: skipWithoutPg, timeout: 60_000 }, () => {
  let fake: FakeHttp<any>;
  let h: LaneHarness;
  let sender: Sender;

  before(async () => {
    fake = await startSendGridFake(KEY);
    h = await laneHarness();
    sender = createSendGridSender({
      name: 'sg',
      apiKey: KEY,
      from: 'Acme <noreply@acme.test>',
      baseUrl: fake.url,
      timeoutMs: 500,
    });
  });
  after(async () => {
    await sender?.close?.();
    await h?.close();
    await fake?.close();
  });

  it('sends the v3 body with custom_args and keeps X-Message-Id', async () => {
    const id = await h.enqueue('email', 'ann@example.com', content);
    const out = await h.run(sender, id);
    expectSent(out, 'sg');
    const req = fake.requests.at(-1)!;
    const body = JSON.parse(req.body);
    assert.deepEqual(body.personalizations, [{ to: [{ email: 'ann@example.com' }] }]);
    assert.deepEqual(body.from, { email: 'noreply@acme.test', name: 'Acme' });
    assert.equal(body.subject, 'Hello');
    assert.deepEqual(body.content, [
      { type: 'text/plain', value: 'Plain' },
      { type: 'text/html', value: '<p>Rich</p>' },
    ]);
    assert.equal(body.custom_args.delivery_id, id);
    assert.ok(out.providerMessageId && out.providerMessageId.length > 5);
  });

  for (const [scenario, code] of [
    ['invalid_address', 'invalid_address'],
    ['invalid_request', 'invalid_request'],
    ['payload_too_large', 'payload_too_large'],
  ] as const) {
    it(`fails the delivery for good on ${scenario}`, async () => {
      fake.answer(scenario);
      expectFailed(await h.run(sender, await h.enqueue('email', 'ann@example.com', content)), code);
    });
  }

  it('retries a 500 and an unverified sender later', async () => {
    fake.answer('server_error');
    expectRetried(
      await h.run(sender, await h.enqueue('email', 'ann@example.com', content)),
      'transient',
      'sendgrid_http_500',
    );
    fake.answer('unverified_sender');
    expectRetried(
      await h.run(sender, await h.enqueue('email', 'ann@example.com', content)),
      'transient',
      'auth_failed',
    );
  });

  it('waits at least Retry-After on 429', async () => {
    fake.answer('rate_limited');
    expectRateLimited(await h.run(sender, await h.enqueue('email', 'ann@example.com', content)), 120_000);
  });

  it('times out a provider that does not answer and retries', async () => {
    fake.answer('hang');
    expectRetried(
      await h.run(sender, await h.enqueue('email', 'ann@example.com', content)),
      'transient',
      'timeout',
    );
  });

  it('is refused by the fake with a wrong key, which the engine treats as an operator problem', async () => {
    const wrong = createSendGridSender({
      name: 'sg',
      apiKey: 'SG.wrong',
      from: 'a@b.test',
      baseUrl: fake.url,
    });
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
});
