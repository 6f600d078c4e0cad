/**
 * Delivery throughput and latency, end to end, on PostgreSQL (a fresh database on the test server).
 *
 *   ceiling     the lane's own claim-and-complete loop on the same table with a provider that
 *               answers at once: what the queue can do with no planning and no HTTP.
 *   throughput  N notifications accepted while no worker runs, then one `herald worker` process
 *               plans and delivers them to a local keep-alive HTTP endpoint (webhook channel);
 *               deliveries/s from the first receipt to the last.
 *   latency     `herald api` + `herald worker` running, notifications sent at a fixed moderate
 *               rate; p50/p99 from the POST leaving the client to the endpoint receiving it.
 *
 * Ends with one JSON line; `ratio` is throughput ÷ ceiling. Sizes: BENCH_N, BENCH_RATE, BENCH_SECONDS.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { connect } from '../src/adapters/store/connect.ts';
import { kyselyDeliveryQueue } from '../src/adapters/store/kysely-delivery-queue.ts';
import { createLane } from '../src/app/dispatch.ts';
import { DEFAULT_RETRY_POLICY } from '../src/domain/retry-policy.ts';
import { client, registerService } from '../test/helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig } from '../test/helpers/herald-process.ts';
import { freshDatabase } from '../test/helpers/pg.ts';
import { startWebhookReceiver, TEST_WEBHOOK_SECRET } from '../test/fakes/webhook-receiver.ts';

const N = Number(process.env.BENCH_N ?? 5000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = 32;
const ADMIN = 'bench-admin-token-0123456789';
const say = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await sleep(5);
  }
}

async function ceiling(url: string): Promise<number> {
  const database = await connect({ databaseUrl: url, dataDir: '/nonexistent', poolSize: 10 });
  const { db } = database;
  const serviceId = randomUUID();
  const notificationId = randomUUID();
  await sql`insert into services (id, name) values (${serviceId}, 'ceiling')`.execute(db);
  await sql`insert into notifications (id, service_id, type, channels, request_hash)
            values (${notificationId}, ${serviceId}, 't', '["in_app"]', 'h')`.execute(db);
  await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status, address, content)
            select gen_random_uuid(), ${notificationId}, ${serviceId}, 'r' || i, 'in_app', 'queued', 'r' || i,
                   '{"title":"t","body":"b"}'
              from generate_series(1, ${N}) i`.execute(db);
  await sql`analyze deliveries`.execute(db);
  let done = 0;
  const lane = createLane({
    channel: 'in_app',
    owner: 'ceiling',
    queue: kyselyDeliveryQueue(db),
    senders: [{ name: 'instant', channel: 'in_app', send: async () => ({ providerMessageId: null }) }],
    policy: DEFAULT_RETRY_POLICY,
    leaseMs: 60_000,
    pollMs: 50,
    concurrency: CONCURRENCY,
    onError: (err) => say(`ceiling error: ${String(err)}`),
    onSettled: () => {
      done += 1;
    },
  });
  const t0 = performance.now();
  lane.start();
  await until(() => done >= N, 300_000);
  const seconds = (performance.now() - t0) / 1000;
  await lane.stop();
  await database.close();
  return N / seconds;
}

async function spansOf(url: string): Promise<{ planPerSecond: number }> {
  const database = await connect({ databaseUrl: url, dataDir: '/nonexistent', poolSize: 1 });
  const { rows } = await sql<{ n: string; seconds: number }>`
    select count(*) as n, extract(epoch from max(planned_at) - min(planned_at))::float8 as seconds
      from notifications where planned_at is not null`.execute(database.db);
  await database.close();
  const r = rows[0];
  return { planPerSecond: r && r.seconds > 0 ? Number(r.n) / r.seconds : NaN };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main() {
  const tdb = await freshDatabase();
  const receiver = await startWebhookReceiver();
  const config = writeConfig(tempDir('herald-bench-'), {
    // The test's webhook receiver listens on loopback.
    allowPrivateWebhookUrls: true,
    providers: { webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET }] },
    worker: { concurrency: CONCURRENCY, pollMs: 200 },
    apiRateLimit: { perSecond: 1_000_000 },
  });
  const env = { DATABASE_URL: tdb.url, HERALD_CONFIG: config, HERALD_ADMIN_TOKEN: ADMIN };
  const procs: Awaited<ReturnType<typeof startHeraldProcess>>[] = [];
  try {
    // Migrate by starting the API once; the ceiling shares the database but not its rows.
    const apiProc = await startHeraldProcess('api', { ...env, HERALD_LOG_LEVEL: 'info' });
    procs.push(apiProc);
    const admin = client(apiProc.url, ADMIN);
    const api = client(apiProc.url, (await registerService(admin)).apiKey);
    const send = (i: number) =>
      api.post('/v1/notifications', {
        type: 'order_shipped',
        recipient: { id: `r${i % 1000}` },
        channels: ['webhook'],
        content: { webhook: { url: receiver.url, payload: { i } } },
      });

    say(`ceiling: claim-and-complete of ${N} deliveries, concurrency ${CONCURRENCY}…`);
    const ceilingPerSecond = await ceiling(tdb.url);
    say(`  ${ceilingPerSecond.toFixed(0)} deliveries/s`);

    say(`throughput: accepting ${N} notifications with no worker running…`);
    const ta = performance.now();
    for (let i = 0; i < N; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, k) => send(i + k)));
      if (batch.some((r) => r.status !== 202)) throw new Error('a notification was refused');
    }
    const acceptPerSecond = N / ((performance.now() - ta) / 1000);
    say(`  accepted at ${acceptPerSecond.toFixed(0)}/s; starting the worker`);
    procs.push(await startHeraldProcess('worker', { ...env, HERALD_LOG_LEVEL: 'info' }));
    await until(() => receiver.received.size >= N, 600_000);
    // From the first receipt to the last, so the worker's start-up is not counted.
    const first = receiver.receipts[0]?.at ?? 0;
    const last = receiver.receipts[N - 1]?.at ?? 0;
    const throughput = (N - 1) / ((last - first) / 1000);
    say(`  ${throughput.toFixed(0)} deliveries/s end to end (plan, claim, signed POST, record)`);
    // Where the time goes: the planner's own pace over the same run.
    const spans = await spansOf(tdb.url);
    say(`  planner ${spans.planPerSecond.toFixed(0)} notifications/s over the same run`);

    say(`latency: ${RATE}/s for ${SECONDS} s…`);
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    const base = N;
    const seen = receiver.receipts.length;
    const total = RATE * SECONDS;
    const t0 = performance.now();
    const posts: Promise<unknown>[] = [];
    for (let k = 0; k < total; k++) {
      await sleep(Math.max(0, t0 + (k * 1000) / RATE - performance.now()));
      sentAt.set(base + k, Date.now());
      posts.push(send(base + k));
    }
    await Promise.all(posts);
    await until(() => receiver.received.size >= N + total, 60_000);
    for (const r of receiver.receipts.slice(seen)) {
      const start = sentAt.get(r.body.data.i as number);
      if (start !== undefined) latencies.push(r.at - start);
    }
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    say(`  p50 ${p50} ms, p99 ${p99} ms over ${latencies.length} notifications`);

    const figures = {
      bench: 'delivery',
      n: N,
      concurrency: CONCURRENCY,
      deliveriesPerSecond: Math.round(throughput),
      ceilingPerSecond: Math.round(ceilingPerSecond),
      ratio: Math.round((throughput / ceilingPerSecond) * 1000) / 1000,
      acceptPerSecond: Math.round(acceptPerSecond),
      planPerSecond: Math.round(spans.planPerSecond),
      latencyRate: RATE,
      p50Ms: p50,
      p99Ms: p99,
      duplicates: receiver.duplicates().extra,
    };
    say(
      `\n  end-to-end ${figures.deliveriesPerSecond}/s vs ceiling ${figures.ceilingPerSecond}/s → ratio ${figures.ratio}`,
    );
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await receiver.close();
    await tdb.drop();
  }
}

await main();
