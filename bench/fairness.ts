/**
 * Fairness between services in one lane (issue 20, item 6), on PostgreSQL with `herald api` and one
 * `herald worker`:
 *
 *   idle   service B sends normal-priority webhook notifications at BENCH_RATE (20/s) with nothing
 *          else queued; p50/p99 from B's POST leaving the client to B's endpoint receiving it.
 *   flood  service A has BENCH_FLOOD (100,000) critical deliveries queued in the same lane, to an
 *          endpoint that answers 503; B sends at the same rate again.
 *
 * A's flood is written straight into the queue (notification planned, deliveries queued, as the
 * planner leaves them), because accepting 100,000 through the API would take longer than the run.
 * Goal: B's p99 under the flood ≤ 2 × its idle p99, measured in the same run. Ends with one JSON line.
 */
import pg from 'pg';
import { client, registerService } from '../test/helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig } from '../test/helpers/herald-process.ts';
import { freshDatabase } from '../test/helpers/pg.ts';
import { startWebhookReceiver, TEST_WEBHOOK_SECRET } from '../test/fakes/webhook-receiver.ts';

const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const FLOOD = Number(process.env.BENCH_FLOOD ?? 100_000);
const ADMIN = 'bench-admin-token-0123456789';
const say = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main() {
  const tdb = await freshDatabase();
  const sinkB = await startWebhookReceiver();
  const sinkA = await startWebhookReceiver({ mode: { kind: 'status', status: 503 } });
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

    let seq = 0;
    /** B sends at RATE for SECONDS; returns B's accept-to-endpoint latencies, sorted. */
    const runB = async (): Promise<number[]> => {
      const sentAt = new Map<number, number>();
      const from = seq;
      const total = RATE * SECONDS;
      const seen = sinkB.receipts.length;
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
      return sinkB.receipts
        .slice(seen)
        .map((r) => r.at - (sentAt.get(r.body.data.i as number) ?? NaN))
        .filter((x) => Number.isFinite(x))
        .sort((x, y) => x - y);
    };

    say(`idle: B at ${RATE}/s for ${SECONDS} s…`);
    const idle = await runB();
    say(`  p50 ${percentile(idle, 50)} ms, p99 ${percentile(idle, 99)} ms over ${idle.length}`);

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
    await db.query(`select pg_notify('herald_wake', 'lane:webhook')`);
    say(`  B at ${RATE}/s for ${SECONDS} s while A's flood drains…`);
    const flood = await runB();
    const { rows } = await db.query<{ attempts: string }>(
      `select count(*) as attempts from delivery_attempts a join deliveries d on d.id = a.delivery_id
        where d.service_id = $1`,
      [a.id],
    );
    say(`  p50 ${percentile(flood, 50)} ms, p99 ${percentile(flood, 99)} ms over ${flood.length}`);
    say(`  A's attempts meanwhile: ${rows[0]?.attempts}`);

    const idleP99 = percentile(idle, 99);
    const floodP99 = percentile(flood, 99);
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
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await db.end().catch(() => undefined);
    for (const p of procs.reverse()) await p.stop();
    await sinkA.close();
    await sinkB.close();
    await tdb.drop();
  }
}

await main();
