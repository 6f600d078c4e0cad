/**
 * Outgoing status webhooks end to end: Herald (embedded, real HTTP) sends delivery status events to a
 * receiver that verifies every signature with the independent `standardwebhooks` package. Across a
 * receiver outage, answers that arrive too late (so Herald retries what was in fact received), an
 * endpoint disabled after persistent failure and then re-enabled, every event arrives, and arrives
 * once by `webhook-id` once duplicates are dropped.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Herald } from '../../src/main.ts';
import { kyselyWebhookOutbox } from '../../src/adapters/store/kysely-webhook-outbox.ts';
import { client, eventually, registerService, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';

function configFile(config: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'herald-op-')), 'herald.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('status webhooks', () => {
  let herald: Herald;
  let api: Client;
  let receiver: WebhookReceiver;

  const send = async (n: number, tag: string) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await api.post('/v1/notifications', {
        type: 'order_shipped',
        recipient: { id: `r-${tag}-${i}`, email: `r${i}@example.com` },
        channels: ['email'],
        content: { email: { subject: 's', text: 't' } },
      });
      assert.equal(res.status, 202);
      ids.push(res.body.id);
    }
    return ids;
  };

  /** Delivery ids of the given notifications once all are sent. */
  const sentDeliveries = async (ids: string[]) => {
    const out: string[] = [];
    for (const id of ids) {
      const n = await eventually(
        async () => {
          const r = await api.get(`/v1/notifications/${id}`);
          return r.body.status === 'completed' ? r.body : undefined;
        },
        { what: `notification ${id} completed` },
      );
      out.push(...n.deliveries.map((d: any) => d.id as string));
    }
    return out;
  };

  before(async () => {
    herald = await startInProcess({
      env: {
        HERALD_CONFIG: configFile({
          allowPrivateWebhookUrls: true,
          statusWebhooks: {
            retryScheduleMs: [50, 100, 200, 200, 200, 200, 200, 200, 200, 200],
            timeoutMs: 300,
          },
        }),
      },
    });
    const s = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Hooks');
    api = client(herald.url ?? '', s.apiKey);
    receiver = await startWebhookReceiver({ mode: { kind: 'status', status: 503 } });
  });

  after(async () => {
    await herald?.stop();
    await receiver?.close();
  });

  it('delivers every event once by webhook-id across an outage and late answers', async () => {
    const created = await api.post('/v1/webhook-endpoints', {
      url: receiver.url,
      events: ['delivery.sent'],
      description: 'status feed',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.secret, /^whsec_/);
    receiver.useSecret(created.body.secret);
    const endpointId = created.body.id as string;
    assert.equal((await api.get(`/v1/webhook-endpoints/${endpointId}`)).body.secret, undefined);

    // Receiver down: events pile up and are retried.
    const first = await sentDeliveries(await send(10, 'down'));
    await eventually(async () => receiver.refused >= 10, { what: 'refused attempts while down' });
    // Receiver takes requests but answers after Herald gave up waiting: Herald retries what arrived.
    receiver.mode = { kind: 'slow', delayMs: 600 };
    await eventually(async () => receiver.received.size >= 3, { what: 'late-answered arrivals' });
    receiver.mode = { kind: 'accept' };
    const second = await sentDeliveries(await send(10, 'up'));

    const expected = new Set([...first, ...second]);
    await eventually(async () => receiver.received.size >= expected.size, {
      what: `all ${expected.size} events`,
      timeoutMs: 30_000,
    });
    const byId = new Map<string, any>();
    for (const r of receiver.receipts) byId.set(r.id, r.body);
    assert.equal(byId.size, expected.size, 'one distinct webhook-id per event');
    // Ids are random, not a counter every service shares (evt_13, evt_24 told a receiver how much
    // everyone else sent in between).
    for (const id of byId.keys()) assert.match(id, /^evt_[0-9a-f]{32}$/);
    const deliveries = new Set([...byId.values()].map((b) => b.data.deliveryId as string));
    assert.deepEqual([...deliveries].sort(), [...expected].sort());
    for (const b of byId.values()) {
      assert.equal(b.type, 'delivery.sent');
      assert.equal(b.data.status, 'sent');
      assert.equal(b.data.notificationType, 'order_shipped');
    }
    assert.equal(receiver.badSignatures, 0);
    // An event answered after Herald stopped waiting is sent again once its retry is due; the
    // receiver then sees its webhook-id twice and drops the copy.
    await eventually(async () => receiver.duplicates().extra > 0, {
      what: 'a second send of a late-answered event',
      timeoutMs: 30_000,
    });
    const dup = receiver.duplicates();
    process.stdout.write(
      `status webhooks: ${expected.size} events, ${receiver.receipts.length} accepted requests, ` +
        `${dup.extra} duplicates (${dup.ids} ids) dropped by webhook-id, ${receiver.refused} refused\n`,
    );

    // The delivery log shows the refusals and the successes.
    const log = await api.get(`/v1/webhook-endpoints/${endpointId}/attempts?limit=500`);
    assert.equal(log.status, 200);
    assert.ok(log.body.data.some((a: any) => a.statusCode === 503));
    assert.ok(log.body.data.some((a: any) => a.error === null && a.messageStatus === 'succeeded'));
  });

  it('disables an endpoint that keeps failing, and re-enabling resends what it missed', async () => {
    const gone = `${receiver.url}/gone`;
    const created = await api.post('/v1/webhook-endpoints', { url: gone, events: ['delivery.sent'] });
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    // The receiver checks signatures with one secret at a time: this endpoint's, from now on.
    receiver.useSecret(created.body.secret);
    receiver.received.clear();
    const deliveries = await sentDeliveries(await send(3, 'gone'));
    const disabled = await eventually(
      async () => {
        const e = await api.get(`/v1/webhook-endpoints/${id}`);
        return e.body.enabled === false ? e.body : undefined;
      },
      { what: 'the endpoint to be disabled', timeoutMs: 30_000 },
    );
    assert.match(disabled.disabledReason, /retries exhausted/);

    const enabled = await api.patch(`/v1/webhook-endpoints/${id}`, { enabled: true, url: receiver.url });
    assert.equal(enabled.status, 200);
    assert.equal(enabled.body.enabled, true);
    await eventually(
      async () => deliveries.every((d) => receiver.receipts.some((r) => r.body.data.deliveryId === d)),
      { what: 'the missed events after re-enabling', timeoutMs: 30_000 },
    );
  });

  it('forgets delivered messages past their retention, and only those', async () => {
    const count = async (status: string) =>
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from webhook_messages where status = ${status}`.execute(herald.db)
      ).rows[0]?.n ?? 0;
    const succeeded = await count('succeeded');
    assert.ok(succeeded > 0);
    await sql`update webhook_messages set updated_at = now() - interval '40 days'`.execute(herald.db);
    const pending = await count('pending');
    const pruned = await kyselyWebhookOutbox(herald.db).prune(30 * 86_400_000);
    assert.equal(pruned, succeeded);
    assert.equal(await count('succeeded'), 0);
    assert.equal(await count('pending'), pending);
  });

  it('validates endpoints and keeps them per service', async () => {
    const bad = await api.post('/v1/webhook-endpoints', {
      url: 'ftp://x.example',
      events: ['delivery.sent'],
    });
    assert.equal(bad.status, 422);
    const noEvents = await api.post('/v1/webhook-endpoints', { url: receiver.url, events: ['nope'] });
    assert.equal(noEvents.status, 422);
    const mine = await api.post('/v1/webhook-endpoints', { url: receiver.url, events: ['delivery.dead'] });
    const other = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Other');
    const otherApi = client(herald.url ?? '', other.apiKey);
    assert.equal((await otherApi.get(`/v1/webhook-endpoints/${mine.body.id}`)).status, 404);
    assert.equal((await otherApi.delete(`/v1/webhook-endpoints/${mine.body.id}`)).status, 404);
    assert.deepEqual((await otherApi.get('/v1/webhook-endpoints')).body.data, []);
    assert.equal((await api.delete(`/v1/webhook-endpoints/${mine.body.id}`)).status, 204);
    assert.equal((await api.get(`/v1/webhook-endpoints/${mine.body.id}`)).status, 404);
  });
});
