/**
 * Status webhooks between services, end to end on real PostgreSQL: service A's endpoint takes every
 * post and never answers (the timeout is far beyond the test), A floods it with events, and service
 * B's events still reach B's receiver, while A never has more posts open than its cap.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, type Client } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';

const CAP = 2;

describe('status webhooks shared between services', { skip: skipWithoutPg }, () => {
  let herald: InProcess;
  let hanging: WebhookReceiver;
  let healthy: WebhookReceiver;

  before(async () => {
    herald = await startInProcess({
      allowPrivateWebhookUrls: true,
      // No email provider in server mode: every email delivery fails, one delivery.failed event each.
      statusWebhooks: { timeoutMs: 60_000, concurrency: 4, perServiceConcurrency: CAP },
    });
    hanging = await startWebhookReceiver({ mode: { kind: 'hang' } });
    healthy = await startWebhookReceiver({ mode: { kind: 'accept' } });
  });

  after(async () => {
    // The hanging posts end when their receiver goes, so the worker can drain.
    await hanging?.close();
    await healthy?.close();
    await herald?.stop();
  });

  const subscribe = async (api: Client, url: string) => {
    const res = await api.post('/v1/webhook-endpoints', { url, events: ['delivery.failed'] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.secret as string;
  };

  const send = async (api: Client, n: number, tag: string) => {
    for (let i = 0; i < n; i++) {
      const res = await api.post('/v1/notifications', {
        type: 'order_shipped',
        recipient: { id: `${tag}-${i}`, email: `${tag}${i}@example.com` },
        channels: ['email'],
        content: { email: { subject: 's', text: 't' } },
      });
      assert.equal(res.status, 202, JSON.stringify(res.body));
    }
  };

  it("delivers B's events while A's endpoint hangs, and A holds no more than its cap", async () => {
    const a = await herald.service('Flooder');
    const b = await herald.service('Quiet');
    hanging.useSecret(await subscribe(a, hanging.url));
    healthy.useSecret(await subscribe(b, healthy.url));

    await send(a, 12, 'a');
    await eventually(async () => hanging.pending() >= CAP, { what: "A's first posts hanging" });
    await send(b, 3, 'b');

    let mostOpen = 0;
    await eventually(
      async () => {
        mostOpen = Math.max(mostOpen, hanging.pending());
        return healthy.received.size >= 3;
      },
      { what: "B's three events while A's endpoint hangs", timeoutMs: 30_000, intervalMs: 20 },
    );
    assert.equal(healthy.badSignatures, 0);
    assert.equal(hanging.pending(), CAP, "A's endpoint holds exactly its cap of posts, still unanswered");
    assert.ok(mostOpen <= CAP, `A never had more than ${CAP} posts open (saw ${mostOpen})`);
    // B's receiver saw B's events only.
    for (const r of healthy.receipts) assert.match(r.body.data.recipientId as string, /^b-/);
  });
});
