/**
 * One service's failures open no one else's breaker, in a running engine on PostgreSQL:
 * - service A's webhook endpoint answering 503 opens A's breaker for that host only: A's other host and
 *   service B's webhooks go out at once, though the breaker stays open for two minutes;
 * - A's own SendGrid key being refused (401) fails A's delivery at once as A's configuration error,
 *   with a reason, and opens nothing: B's mail through the operator's key goes on, and the provider
 *   shows closed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FakeHttp } from '../fakes/fake-http.ts';
import { startSendGridFake } from '../fakes/sendgrid-fake.ts';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../fakes/webhook-receiver.ts';
import { eventually } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

type Api = Awaited<ReturnType<InProcess['service']>>;

const delivery = async (api: Api, id: string) =>
  (await api.get(`/v1/notifications/${id}`)).body.deliveries?.[0];

async function notify(api: Api, body: Record<string, unknown>): Promise<string> {
  const res = await api.post('/v1/notifications', { type: 'order_shipped', ...body });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.id as string;
}

describe('breakers per service and per webhook host', { skip: skipWithoutPg, timeout: 90_000 }, () => {
  let failing: WebhookReceiver;
  let healthyOfA: WebhookReceiver;
  let ofB: WebhookReceiver;
  let operatorMail: FakeHttp<any>;
  let serviceMail: FakeHttp<any>;
  let herald: InProcess;

  before(async () => {
    [failing, healthyOfA, ofB, operatorMail, serviceMail] = await Promise.all([
      startWebhookReceiver({ mode: { kind: 'status', status: 503 } }),
      startWebhookReceiver(),
      startWebhookReceiver(),
      startSendGridFake('SG.operator-key'),
      startSendGridFake('SG.service-a-real-key'),
    ]);
    herald = await startInProcess({
      secretKey: randomBytes(32).toString('base64'),
      allowPrivateWebhookUrls: true,
      providers: {
        webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET }],
        email: [
          {
            name: 'sg',
            type: 'sendgrid',
            apiKey: 'SG.operator-key',
            from: 'ops@operator.test',
            baseUrl: operatorMail.url,
            serviceUrls: ['baseUrl'],
          },
        ],
      },
      // Open long enough that anything it held back would still be waiting when the test ends.
      breaker: { failureThreshold: 2, openMs: 120_000 },
      retry: { default: { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 20 } },
      worker: { concurrency: 2 },
    });
  });
  after(async () => {
    await herald?.stop();
    for (const f of [failing, healthyOfA, ofB, operatorMail, serviceMail]) await f?.close();
  });

  it("holds back only the failing host of service A, never service B's webhooks", async () => {
    const a = await herald.service('A');
    const b = await herald.service('B');
    const hook = (url: string, i: number) => ({
      recipient: { id: `r${i}` },
      channels: ['webhook'],
      content: { webhook: { url, payload: { i } } },
    });
    const held = await Promise.all([1, 2, 3, 4].map((i) => notify(a, hook(failing.url, i))));
    // A's breaker for that host opens: its deliveries wait without spending attempts.
    await eventually(
      async () => {
        const ds = await Promise.all(held.map((id) => delivery(a, id)));
        return ds.some((d) => d?.status === 'queued' && d.reason === 'providers_unavailable');
      },
      { what: "A's breaker for its failing host to hold a delivery" },
    );
    assert.ok(
      failing.refused >= 2 && failing.refused < 10,
      `the failing host was tried ${failing.refused} times`,
    );

    const fromB = await Promise.all([1, 2, 3].map((i) => notify(b, hook(ofB.url, i))));
    const fromA = await notify(a, hook(healthyOfA.url, 9));
    for (const [api, id] of [...fromB.map((id) => [b, id] as const), [a, fromA] as const]) {
      const d = await eventually(
        async () => {
          const got = await delivery(api, id);
          return got?.status === 'sent' ? got : undefined;
        },
        { what: 'a webhook to another host or service to be sent', timeoutMs: 15_000 },
      );
      assert.equal(d.attempts.length, 1);
    }
    assert.equal(ofB.received.size, 3);
    assert.equal(healthyOfA.received.size, 1);

    // The provider as a whole is not down: once the workers publish again it shows closed to everyone.
    await eventually(
      async () => {
        const res = await herald.admin.get('/v1/providers');
        return res.body.data.find((p: { name: string }) => p.name === 'hooks')?.state === 'closed';
      },
      { what: 'the webhook provider to show closed', timeoutMs: 10_000 },
    );
  });

  it("fails A's delivery through its own refused key as A's error, and opens no breaker", async () => {
    const a = await herald.service('A-mail');
    const b = await herald.service('B-mail');
    const put = await a.put('/v1/providers/sg/credentials', {
      type: 'sendgrid',
      credentials: { apiKey: 'SG.service-a-wrong-key', from: 'hi@a.test', baseUrl: serviceMail.url },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const mail = (i: number) => ({
      recipient: { id: `m${i}`, email: `m${i}@example.com` },
      channels: ['email'],
      content: { email: { subject: `n${i}`, text: 'hello' } },
    });
    const fromA = await Promise.all([1, 2, 3, 4].map((i) => notify(a, mail(i))));
    for (const id of fromA) {
      const d = await eventually(
        async () => {
          const got = await delivery(a, id);
          return got?.status === 'failed' ? got : undefined;
        },
        { what: "A's delivery to fail" },
      );
      assert.equal(d.reason, 'service_credentials_rejected');
      assert.equal(d.attempts.length, 1, 'not retried: the key is for A to fix');
      assert.equal(d.attempts[0].outcome, 'permanent');
      assert.match(d.attempts[0].errorMessage, /own credentials/);
    }
    // Each refusal is tried once more (a cached token may have been revoked), then given up.
    assert.equal(serviceMail.requests.length, 8);

    const fromB = await Promise.all([5, 6, 7].map((i) => notify(b, mail(i))));
    for (const id of fromB) {
      const d = await eventually(
        async () => {
          const got = await delivery(b, id);
          return got?.status === 'sent' ? got : undefined;
        },
        { what: "B's mail through the operator key", timeoutMs: 15_000 },
      );
      assert.equal(d.attempts.length, 1);
    }
    assert.equal(operatorMail.requests.at(-1)?.headers.authorization, 'Bearer SG.operator-key');
    const res = await herald.admin.get('/v1/providers');
    const sg = res.body.data.find((p: { name: string }) => p.name === 'sg');
    assert.equal(sg?.state, 'closed');
  });
});
