/**
 * Fairness between services in one lane (issue 20, item 6), on PostgreSQL with `herald api` and one
 * `herald worker`:
 *
 *   idle   service B sends normal-priority webhook notifications at BENCH_RATE (20/s) with nothing
 *          else queued; p50/p99 from B's POST leaving the client to B's endpoint receiving it.
 *   flood  service A has BENCH_FLOOD (100,000) critical deliveries queued in the same lane, to an
 *          endpoint that answers 503, and BENCH_HOOK_FLOOD (10,000) status-webhook messages pending
 *          for a status-webhook endpoint that takes each post and never answers (each holds a slot
 *          for the whole `statusWebhooks.timeoutMs`, 15 s); B sends at the same rate again.
 *
 * B also has a status-webhook endpoint (`delivery.sent`), so each of B's notifications gives a second
 * figure: from B's POST to B's status event arriving, through the same status-webhook queue as A's.
 * A's floods are written straight into the queues (notification planned, deliveries queued, as the
 * planner leaves them; outbox rows as the status trigger writes them), because accepting 100,000
 * through the API would take longer than the run. Goal: B's p99 under the flood ≤ 2 × its idle p99,
 * measured in the same run, for both figures. Ends with one JSON line.
 */
import pg from 'pg';
import { client, registerService } from '../test/helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig } from '../test/helpers/herald-process.ts';
import { freshDatabase } from '../test/helpers/pg.ts';
import { startWebhookReceiver, TEST_WEBHOOK_SECRET } from '../test/fakes/webhook-receiver.ts';

const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const FLOOD = Number(process.env.BENCH_FLOOD ?? 100_000);
const HOOK_FLOOD = Number(process.env.BENCH_HOOK_FLOOD ?? 10_000);
const ADMIN = 'bench-admin-token-0123456789';
const say = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main() {
  const tdb = await freshDatabase();
  const sinkB = await startWebhookReceiver();
  const sinkA = await startWebhookReceiver({ mode: { kind: 'status', status: 503 } });
  const hooksB = await startWebhookReceiver();
  const hooksA = await startWebhookReceiver({ mode: { kind: 'hang' } });
  const config = writeConfig(tempDir('herald-fair-'), {
    allowPrivateWebhookUrls: true,
    providers: { webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET }] },
    worker: { concurrency: 32, pollMs: 200 },
    apiRateLimit: { perSecond: 1_000_000 },
  });
  const env = { DATABASE_URL: tdb.url, HERALD_CONFIG: config, HERALD_ADMIN_TOKEN: ADMIN };
  const procs: Awaited<ReturnType<typeof startHeraldProcess>>[] = [];
  const db = new pg.Client({ connectionString: tdb.url });
  try {
    const apiProc = await startHeraldProcess('api', env);
    procs.push(apiProc);
    procs.push(await startHeraldProcess('worker', env));
    await db.connect();
    const admin = client(apiProc.url, ADMIN);
    const a = await registerService(admin, 'A');
    const b = client(apiProc.url, (await registerService(admin, 'B')).apiKey);
    const endpointB = await b.post('/v1/webhook-endpoints', { url: hooksB.url, events: ['delivery.sent'] });
    hooksB.useSecret(endpointB.body.secret as string);
    const endpointA = await client(apiProc.url, a.apiKey).post('/v1/webhook-endpoints', {
      url: hooksA.url,
      events: ['delivery.sent', 'delivery.failed', 'delivery.dead'],
    });
    // Signed as Herald signs it, so A's posts are taken (and then never answered), not refused.
    hooksA.useSecret(endpointA.body.secret as string);

    let seq = 0;
    /**
     * B sends at RATE for SECONDS; returns B's accept-to-endpoint latencies and its accept-to-status-
     * event latencies, each sorted.
     */
    const runB = async (): Promise<{ sends: number[]; hooks: number[] }> => {
      const sentAt = new Map<number, number>();
      const from = seq;
      const total = RATE * SECONDS;
      const seen = sinkB.receipts.length;
      const hooksSeen = hooksB.receipts.length;
      const t0 = performance.now();
      const posts: Promise<unknown>[] = [];
      for (let k = 0; k < total; k++) {
        await sleep(Math.max(0, t0 + (k * 1000) / RATE - performance.now()));
        const i = seq++;
        sentAt.set(i, Date.now());
        posts.push(
          b.post('/v1/notifications', {
            type: 'order_shipped',
            recipient: { id: `b${i}` },
            channels: ['webhook'],
            content: { webhook: { url: sinkB.url, payload: { i } } },
          }),
        );
      }
      await Promise.all(posts);
      const deadline = Date.now() + 300_000;
      while (sinkB.received.size < from + total && Date.now() < deadline) await sleep(20);
      const hookDeadline = Date.now() + 120_000;
      while (hooksB.received.size < from + total && Date.now() < hookDeadline) await sleep(20);
      const sends = sinkB.receipts
        .slice(seen)
        .map((r) => r.at - (sentAt.get(r.body.data.i as number) ?? NaN))
        .filter((x) => Number.isFinite(x))
        .sort((x, y) => x - y);
      const hooks = hooksB.receipts
        .slice(hooksSeen)
        .map((r) => r.at - (sentAt.get(Number(String(r.body.data.recipientId).slice(1))) ?? NaN))
        .filter((x) => Number.isFinite(x))
        .sort((x, y) => x - y);
      return { sends, hooks };
    };

    say(`idle: B at ${RATE}/s for ${SECONDS} s…`);
    const { sends: idle, hooks: idleHooks } = await runB();
    say(`  p50 ${percentile(idle, 50)} ms, p99 ${percentile(idle, 99)} ms over ${idle.length}`);
    say(`  status events: p50 ${percentile(idleHooks, 50)} ms, p99 ${percentile(idleHooks, 99)} ms`);

    say(`flood: ${FLOOD} critical deliveries of A queued to an endpoint answering 503…`);
    await db.query(
      `insert into notifications (id, service_id, type, channels, request_hash, plan_status)
       values (gen_random_uuid(), $1, 'order_shipped', '["webhook"]', 'flood', 'planned')`,
      [a.id],
    );
    await db.query(
      `insert into deliveries (id, notification_id, service_id, recipient_id, channel, status, priority, address, content)
       select gen_random_uuid(), (select id from notifications where request_hash = 'flood'), $1, 'a' || i,
              'webhook', 'queued', 0, $2, '{"payload":{}}'
         from generate_series(1, $3::int) i`,
      [a.id, sinkA.url, FLOOD],
    );
    await db.query(
      `insert into webhook_messages (event_id, endpoint_id, service_id, event_type, payload)
       select 'evt_' || md5(random()::text || i), $1, $2, 'delivery.failed', '{"type":"delivery.failed"}'::jsonb
         from generate_series(1, $3::int) i`,
      [endpointA.body.id, a.id, HOOK_FLOOD],
    );
    await db.query(`select pg_notify('herald_wake', 'lane:webhook')`);
    await db.query(`select pg_notify('herald_wake', 'status-webhooks')`);
    say(`  B at ${RATE}/s for ${SECONDS} s while A's flood drains…`);
    const { sends: flood, hooks: floodHooks } = await runB();
    const { rows } = await db.query<{ attempts: string }>(
      `select count(*) as attempts from delivery_attempts a join deliveries d on d.id = a.delivery_id
        where d.service_id = $1`,
      [a.id],
    );
    say(`  p50 ${percentile(flood, 50)} ms, p99 ${percentile(flood, 99)} ms over ${flood.length}`);
    say(
      `  status events: p50 ${percentile(floodHooks, 50)} ms, p99 ${percentile(floodHooks, 99)} ms over ${floodHooks.length}`,
    );
    say(
      `  A's attempts meanwhile: ${rows[0]?.attempts}; A's status-webhook posts hanging: ${hooksA.pending()}`,
    );

    const idleP99 = percentile(idle, 99);
    const floodP99 = percentile(flood, 99);
    const idleHookP99 = percentile(idleHooks, 99);
    const floodHookP99 = percentile(floodHooks, 99);
    const figures = {
      bench: 'fairness',
      rate: RATE,
      seconds: SECONDS,
      flood: FLOOD,
      idleP50Ms: percentile(idle, 50),
      idleP99Ms: idleP99,
      floodP50Ms: percentile(flood, 50),
      floodP99Ms: floodP99,
      ratio: Math.round((floodP99 / idleP99) * 100) / 100,
      bDelivered: flood.length,
      bSent: RATE * SECONDS,
      aAttempts: Number(rows[0]?.attempts ?? 0),
      goalP99AtMostTwiceIdle: flood.length === RATE * SECONDS && floodP99 <= 2 * idleP99,
      hookFlood: HOOK_FLOOD,
      idleHookP50Ms: percentile(idleHooks, 50),
      idleHookP99Ms: idleHookP99,
      floodHookP50Ms: percentile(floodHooks, 50),
      floodHookP99Ms: floodHookP99,
      hookRatio: Math.round((floodHookP99 / idleHookP99) * 100) / 100,
      bHooksReceived: floodHooks.length,
      aHooksHanging: hooksA.pending(),
      hookGoalP99AtMostTwiceIdle: floodHooks.length === RATE * SECONDS && floodHookP99 <= 2 * idleHookP99,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await db.end().catch(() => undefined);
    for (const p of procs.reverse()) await p.stop();
    await sinkA.close();
    await sinkB.close();
    await hooksA.close();
    await hooksB.close();
    await tdb.drop();
  }
}

await main();
