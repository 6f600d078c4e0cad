/**
 * Slack incoming webhooks (a provider on the webhook channel) against their fake. The fake listens on
 * loopback, so the senders that should reach it allow private addresses; with the guard on (the
 * default) no send — nor a service's stored base URL — may reach loopback or the metadata address.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createSlackSender } from '../../src/adapters/channels/slack/slack-sender.ts';
import type { Sender } from '../../src/ports/sender.ts';
import { startSlackFake, type SlackFake } from '../fakes/slack-fake.ts';
import { eventually } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { laneHarness, type LaneHarness } from '../helpers/lane.ts';
import { skipWithoutPg } from '../helpers/pg.ts';
import { expectFailed, expectRateLimited, expectRetried, expectSent } from './expect.ts';

/** The webhook channel's content, as a notification's `content.webhook` gives it. */
const content = {
  payload: {
    text: 'Deploy finished',
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Deploy* finished' } }],
  },
};

describe('Slack incoming webhook sender', { skip: skipWithoutPg, timeout: 60_000 }, () => {
  let fake: SlackFake;
  let h: LaneHarness;
  let sender: Sender;
  before(async () => {
    fake = await startSlackFake();
    h = await laneHarness();
    sender = createSlackSender({
      name: 'slack',
      baseUrl: `${fake.url}/services/`,
      timeoutMs: 500,
      allowPrivate: true,
    });
  });
  after(async () => {
    await sender?.close?.();
    await h?.close();
    await fake?.close();
  });

  it('posts text and blocks to the webhook URL', async () => {
    const url = fake.webhookUrl();
    expectSent(await h.run(sender, await h.enqueue('webhook', url, content)), 'slack');
    assert.deepEqual(JSON.parse(fake.requests.at(-1)!.body), content.payload);
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

describe('Slack and the private-address guard', { skip: skipWithoutPg, timeout: 60_000 }, () => {
  let fake: SlackFake;
  let h: LaneHarness;
  before(async () => {
    fake = await startSlackFake();
    h = await laneHarness();
  });
  after(async () => {
    await h?.close();
    await fake?.close();
  });

  it('refuses loopback by IP and by name, and the metadata address, for good, and connects nowhere', async () => {
    const port = new URL(fake.url).port;
    const byName = fake.webhookUrl().replace('127.0.0.1', 'localhost');
    const cases = [
      { baseUrl: `${fake.url}/services/`, to: fake.webhookUrl() },
      { baseUrl: `http://localhost:${port}/services/`, to: byName },
      { baseUrl: 'http://169.254.169.254/', to: 'http://169.254.169.254/latest/meta-data/' },
    ];
    for (const c of cases) {
      const guarded = createSlackSender({ name: 'slack', baseUrl: c.baseUrl, timeoutMs: 2000 });
      try {
        expectFailed(await h.run(guarded, await h.enqueue('webhook', c.to, content)), 'webhook_url_refused');
      } finally {
        await guarded.close?.();
      }
    }
    assert.equal(fake.connections(), 0, 'no connection reached the fake');
    assert.equal(fake.requests.length, 0);

    // The same address is reachable when private addresses are allowed: the guard is what stopped it.
    const open = createSlackSender({
      name: 'slack',
      baseUrl: `http://localhost:${port}/services/`,
      timeoutMs: 2000,
      allowPrivate: true,
    });
    try {
      expectSent(await h.run(open, await h.enqueue('webhook', byName, content)), 'slack');
    } finally {
      await open.close?.();
    }
    assert.equal(fake.requests.length, 1);
  });
});

describe('Slack in Herald with the guard on', { skip: skipWithoutPg, timeout: 60_000 }, () => {
  let fake: SlackFake;
  let herald: InProcess;
  let api: Awaited<ReturnType<InProcess['service']>>;
  before(async () => {
    fake = await startSlackFake();
    const port = new URL(fake.url).port;
    herald = await startInProcess({
      secretKey: randomBytes(32).toString('base64'),
      providers: {
        // Services may set their own base URL here, so what refuses a private one is the address check.
        slack: [
          {
            name: 'team-slack',
            type: 'slack',
            baseUrl: `http://localhost:${port}/`,
            serviceUrls: ['baseUrl'],
          },
        ],
      },
    });
    api = await herald.service('Slacker');
  });
  after(async () => {
    await herald?.stop();
    await fake?.close();
  });

  it('fails a send to an operator-configured loopback Slack for good, without connecting', async () => {
    const url = fake.webhookUrl().replace('127.0.0.1', 'localhost');
    const res = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: { id: 'ops' },
      channels: ['webhook'],
      content: { webhook: { url, payload: { text: 'Deploy finished' } } },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const delivery = await eventually(
      async () => {
        const n = await api.get(`/v1/notifications/${res.body.id}`);
        const d = n.body.deliveries?.[0];
        return d?.status === 'failed' ? d : undefined;
      },
      { what: 'the Slack delivery failed' },
    );
    assert.equal(delivery.reason, 'webhook_url_refused');
    assert.equal(delivery.attempts.length, 1);
    assert.equal(delivery.attempts[0].outcome, 'permanent');
    assert.match(delivery.attempts[0].errorMessage, /private address/);
    assert.equal(fake.connections(), 0, 'no connection reached the fake');
  });

  it("refuses a service's Slack base URL on a private address with 422, and stores nothing", async () => {
    const port = new URL(fake.url).port;
    for (const baseUrl of [
      `http://127.0.0.1:${port}/services/`,
      `http://localhost:${port}/services/`,
      'http://169.254.169.254/',
      'http://[::1]/',
    ]) {
      const res = await api.put('/v1/providers/team-slack/credentials', {
        type: 'slack',
        credentials: { baseUrl },
      });
      assert.equal(res.status, 422, baseUrl);
      assert.equal(res.body.error.code, 'validation_failed');
      assert.match(res.body.error.message, /baseUrl .*private, loopback or link-local/, baseUrl);
      assert.deepEqual(
        res.body.error.details.map((d: { in: string; path: string }) => [d.in, d.path]),
        [['body', '/credentials/baseUrl']],
      );
    }
    assert.deepEqual((await api.get('/v1/providers/credentials')).body, { data: [] });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from provider_credentials`.execute(
      herald.herald.db,
    );
    assert.equal(rows[0]?.n, 0);
    assert.equal(fake.connections(), 0);

    // A public address is accepted: the check refuses what is private, not every base URL.
    const ok = await api.put('/v1/providers/team-slack/credentials', {
      type: 'slack',
      credentials: { baseUrl: 'https://93.184.216.34/services/' },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});
