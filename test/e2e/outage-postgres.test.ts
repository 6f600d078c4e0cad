/**
 * PostgreSQL down, then back, under real `herald api` and `herald worker` processes on a throwaway
 * cluster (never the shared server): while it is away the API answers 503 with Retry-After and the
 * JSON error shape — never a hang, never a 500 — /readyz is red while /healthz stays green, and a
 * refused request wrote nothing. Once it is back, the same request (same idempotency key) is
 * accepted and the worker, which kept retrying on its own, delivers it. Both then stop when told to.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig, type HeraldProcess } from '../helpers/herald-process.ts';
import { clusterProblem, startPgCluster, type PgCluster } from '../helpers/pg-cluster.ts';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../fakes/webhook-receiver.ts';

const ADMIN = 'outage-admin-token-0123456789';
const problem = clusterProblem();

/**
 * Each wait in the hooks has its own bound that ends what it waited for and says why (pg_ctl 60 s,
 * a process's start 90 s and its stop 45 s, an API call 60 s): together up to about 5 minutes. The
 * hooks' own limit is above that, so it never cuts one short — a hook cut short goes on in the
 * background, and a process it starts afterwards has nobody to stop it and keeps this file running.
 */
const HOOK_TIMEOUT_MS = 6 * 60_000;

describe(
  'PostgreSQL outage',
  { skip: problem ? `cannot start a PostgreSQL cluster: ${problem}` : false },
  () => {
    let cluster: PgCluster;
    let receiver: WebhookReceiver;
    let apiProc: HeraldProcess;
    let workerProc: HeraldProcess;
    let api: Client;
    let apiKey: string;

    before(
      async () => {
        cluster = await startPgCluster();
        receiver = await startWebhookReceiver();
        const env = {
          DATABASE_URL: cluster.url,
          HERALD_ADMIN_TOKEN: ADMIN,
          HERALD_CONFIG: writeConfig(tempDir(), {
            allowPrivateWebhookUrls: true,
            providers: { webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET }] },
            worker: { pollMs: 200, sweepMs: 1000 },
          }),
        };
        apiProc = await startHeraldProcess('api', env);
        workerProc = await startHeraldProcess('worker', env);
        apiKey = (await registerService(client(apiProc.url, ADMIN))).apiKey;
        api = client(apiProc.url, apiKey);
      },
      { timeout: HOOK_TIMEOUT_MS },
    );

    let finished = false;
    after(
      async () => {
        // A run that did not get to its end (failed or timed out) shows what the processes said.
        if (!finished) {
          for (const [name, proc] of [
            ['api', apiProc],
            ['worker', workerProc],
          ] as const) {
            process.stderr.write(`--- herald ${name}, last output ---\n${proc?.output().slice(-6000)}\n`);
          }
        }
        await workerProc?.stop();
        await apiProc?.stop();
        await receiver?.close();
        await cluster?.destroy();
      },
      { timeout: HOOK_TIMEOUT_MS },
    );

    const notification = (i: number) => ({
      type: 'order_shipped',
      recipient: { id: `r${i}` },
      channels: ['webhook'],
      content: { webhook: { url: receiver.url, payload: { i } } },
    });

    /** Any answer at all within 15 s; a hang fails the test. */
    const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${apiProc.url}${path}`, {
        method,
        signal: AbortSignal.timeout(15_000),
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });

    // Its waits from the restart on alone may take 30 + 30 + 60 s before saying which one failed; a
    // passing run takes a few seconds (1-4 s at load 12-20 on two cores).
    it(
      'answers 503 + Retry-After while it is down, writes nothing, and recovers by itself',
      { timeout: 5 * 60_000 },
      async () => {
        const first = await api.post('/v1/notifications', notification(0));
        assert.equal(first.status, 202);
        await waitForNotification(api, first.body.id);

        await cluster.stop();
        const refusals = [
          await call('POST', '/v1/notifications', notification(1), { 'idempotency-key': 'during-outage' }),
          await call('GET', `/v1/notifications/${first.body.id}`),
          await call('GET', '/v1/deliveries?status=dead'),
          await call('PUT', '/v1/recipients/ann', { email: 'ann@example.com' }),
          // A well-formed key the API has never seen cannot be checked either: 503, not 401.
          await fetch(`${apiProc.url}/v1/notifications/${first.body.id}`, {
            headers: { authorization: `Bearer hk_${'a'.repeat(16)}_${'b'.repeat(43)}` },
            signal: AbortSignal.timeout(15_000),
          }),
        ];
        for (const res of refusals) {
          assert.equal(res.status, 503, `${res.url}`);
          assert.equal(res.headers.get('retry-after'), '2');
          assert.match(res.headers.get('content-type') ?? '', /application\/json/);
          const body = (await res.json()) as { error: { code: string; message: string } };
          assert.equal(body.error.code, 'unavailable');
          assert.equal(typeof body.error.message, 'string');
        }
        const ready = await fetch(`${apiProc.url}/readyz`, { signal: AbortSignal.timeout(15_000) });
        assert.equal(ready.status, 503);
        assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, {
          database: false,
          migrations: false,
        });
        const health = await fetch(`${apiProc.url}/healthz`, { signal: AbortSignal.timeout(15_000) });
        assert.equal(health.status, 200);

        await cluster.start();
        await eventually(async () => (await client(apiProc.url).get('/readyz')).status === 200, {
          what: '/readyz to turn green',
          timeoutMs: 30_000,
        });
        const db = new pg.Client({ connectionString: cluster.url });
        await db.connect();
        try {
          const written = await db.query<{ n: number }>(
            `select count(*)::int as n from notifications where idempotency_key = 'during-outage'`,
          );
          assert.equal(written.rows[0]?.n, 0, 'the refused request wrote nothing');
          const recipients = await db.query<{ n: number }>(
            `select count(*)::int as n from recipients where id = 'ann'`,
          );
          assert.equal(recipients.rows[0]?.n, 0);
        } finally {
          await db.end();
        }
        // The client retries as told; the worker was never restarted and delivers it.
        const retried = await eventually(
          async () => {
            const res = await api.post('/v1/notifications', notification(1), {
              'idempotency-key': 'during-outage',
            });
            return res.status === 202 ? res : undefined;
          },
          { what: 'the retried request to be accepted', timeoutMs: 30_000 },
        );
        const done = await waitForNotification(api, retried.body.id, 'completed', 60_000);
        assert.equal(done.deliveries[0].status, 'sent');
        assert.doesNotMatch(apiProc.output(), /"statusCode":500|internal_error/);
      },
    );

    it('stops both processes cleanly right after the outage', async () => {
      // About a second after the restart, while listeners may still be making their sessions again.
      const [workerCode, apiCode] = await Promise.all([workerProc.stop(), apiProc.stop()]);
      assert.equal(workerCode, 0, workerProc.output().slice(-3000));
      assert.equal(apiCode, 0, apiProc.output().slice(-3000));
      finished = true;
    });
  },
);
