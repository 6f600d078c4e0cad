/** Slack incoming webhooks (a provider on the webhook channel) against their fake. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSlackSender } from '../../src/adapters/channels/slack/slack-sender.ts';
import type { Sender } from '../../src/ports/sender.ts';
import { startSlackFake, type SlackFake } from '../fakes/slack-fake.ts';
import { laneHarness, type LaneHarness } from '../helpers/lane.ts';
import { skipWithoutPg } from '../helpers/pg.ts';
import { expectFailed, expectRateLimited, expectRetried, expectSent } from './expect.ts';

const content = {
  text: 'Deploy finished',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Deploy* finished' } }],
};

describe('Slack incoming webhook sender', { skip: skipWithoutPg, timeout: 60_000 }, () => {
  let fake: SlackFake;
  let h: LaneHarness;
  let sender: Sender;
  before(async () => {
    fake = await startSlackFake();
    h = await laneHarness();
    sender = createSlackSender({ name: 'slack', baseUrl: `${fake.url}/services/`, timeoutMs: 500 });
  });
  after(async () => {
    await sender?.close?.();
    await h?.close();
    await fake?.close();
  });

  it('posts text and blocks to the webhook URL', async () => {
    const url = fake.webhookUrl();
    expectSent(await h.run(sender, await h.enqueue('webhook', url, content)), 'slack');
    assert.deepEqual(JSON.parse(fake.requests.at(-1)!.body), content);
  });

  it('fails a revoked webhook (no_service) and a URL outside Slack for good', async () => {
    expectFailed(
      await h.run(sender, await h.enqueue('webhook', `${fake.url}/services/T0/B0/revoked`, content)),
      'subscription_gone',
    );
    expectFailed(
      await h.run(sender, await h.enqueue('webhook', 'http://169.254.169.254/latest', content)),
      'invalid_address',
    );
  });

  for (const [scenario, code] of [
    ['channel_is_archived', 'invalid_address'],
    ['invalid_payload', 'invalid_request'],
    ['action_prohibited', 'forbidden'],
  ] as const) {
    it(`fails for good on ${scenario}`, async () => {
      fake.answer(scenario);
      expectFailed(await h.run(sender, await h.enqueue('webhook', fake.webhookUrl(), content)), code);
    });
  }

  it('retries a 500, honours Retry-After on 429, times out a hang', async () => {
    fake.answer('server_error');
    expectRetried(
      await h.run(sender, await h.enqueue('webhook', fake.webhookUrl(), content)),
      'transient',
      'slack_http_500',
    );
    fake.answer('rate_limited');
    expectRateLimited(await h.run(sender, await h.enqueue('webhook', fake.webhookUrl(), content)), 120_000);
    fake.answer('hang');
    expectRetried(
      await h.run(sender, await h.enqueue('webhook', fake.webhookUrl(), content)),
      'transient',
      'timeout',
    );
  });
});
