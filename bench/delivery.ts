/**
 * Delivery throughput and latency on PostgreSQL, against peers measured in the same run on the same
 * server, each in a fresh database of its own:
 *
 *   raw         a raw SQL loop on a minimal queue table, 8 connections: claim 100 with SKIP LOCKED,
 *               complete them. What PostgreSQL does with no queue code at all.
 *   graphile    graphile-worker draining the same number of no-op jobs, same concurrency.
 *   lane        Herald's lane alone with a sender that answers at once (claim, settle, status log).
 *   sink        what the same local endpoint takes from a bare undici keep-alive POST loop in another
 *               process (same concurrency, signed bodies, no Herald code): the ceiling for e2e on this
 *               box, where the endpoint, the sending process and PostgreSQL share the same cores.
 *               Its CPU per request is given beside the worker's CPU per delivery (from /proc).
 *   e2e         N notifications accepted while no worker runs, then one `herald worker` process plans
 *               them and POSTs each, signed, to a local keep-alive HTTP endpoint (webhook channel);
 *               deliveries/s from the first receipt to the last; the workers' CPU, and PostgreSQL's
 *               pages read and commits, per delivery.
 *   latency     `herald api` + worker running, notifications sent at half the e2e rate; p50/p99 from
 *               the POST leaving the client to the endpoint receiving it.
 *   two workers one worker and then two worker processes each drain N notifications in a fresh
 *               database of their own, after a warm-up (delivery/workers.ts); throughput, CPU,
 *               pages, commits, lock waits and duplicates of two against one. (It used to be a
 *               third drain in the database the e2e and latency runs had filled, against the e2e
 *               run's figure: more dead index entries to walk, code already warm in one and not
 *               the other.) BENCH_PART=workers runs only this, BENCH_WORKER_ROUNDS pairs of it
 *               (alternating which goes first); BENCH_COUNT_STATEMENTS=1 adds statement counts.
 *
 * Goals (issue 13): lane ≥ 0.5 × graphile; e2e ≥ 0.25 × graphile; p99 ≤ 200 ms at half the e2e
 * rate; two workers: no duplicates and not slower than one. Ends with one JSON line.
 * Sizes: BENCH_N (5000, end to end), BENCH_QUEUE_N (20000, raw/graphile/lane), BENCH_SECONDS (10), BENCH_RATE (overrides half the e2e rate).
 * BENCH_WORKER_NODE_OPTIONS is passed to the worker processes as NODE_OPTIONS (for --cpu-prof).
 * BENCH_DELIVERY_EXPLAIN=1 logs every statement's plan and buffers (auto_explain) to the server's log.
 * BENCH_PART=e2e runs the one-worker drain alone; BENCH_PART=latency runs the latency part alone (with BENCH_RATE; the default rate is 700/s),
 * for looking at one stage without the minute the other parts take.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import { client, registerService } from '../test/helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig } from '../test/helpers/herald-process.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/pg.ts';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../test/fakes/webhook-receiver.ts';
import { graphileNoop } from './delivery/graphile-noop.ts';
import { heraldLane } from './delivery/herald-lane.ts';
import { rawClaim } from './delivery/raw-claim.ts';
import { workersDrain, type DrainFigures } from './delivery/workers.ts';

const N = Number(process.env.BENCH_N ?? 5000);
/** Rows for the queue-only runs (raw, graphile, lane): enough that start-up and ramp are small. */
const QN = Number(process.env.BENCH_QUEUE_N ?? 20000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** The worker's `concurrency` (lane slots), graphile-worker's and the sink client's; BENCH_CONCURRENCY to try others. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ONLY = process.env.BENCH_PART;
const LATENCY_ONLY = ONLY === 'latency';
/** The one-worker drain alone (with BENCH_DELIVERY_EXPLAIN, its statements alone in the log). */
const E2E_ONLY = ONLY === 'e2e';
const PART_ONLY = LATENCY_ONLY || E2E_ONLY;
const ADMIN = 'bench-admin-token-0123456789';
const say = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, places = 0) => Math.round(x * 10 ** places) / 10 ** places;

async function until(check: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await sleep(5);
  }
}

async function inFreshDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const tdb = await freshDatabase();
  try {
    return await fn(tdb.url);
  } finally {
    await tdb.drop();
  }
}

/** The planner's own pace over the notifications planned so far: where end-to-end time goes. */
async function planPace(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string; seconds: number }>(
      `select count(*) as n, extract(epoch from max(planned_at) - min(planned_at))::float8 as seconds
         from notifications where planned_at is not null`,
    );
    const r = rows[0];
    return r && r.seconds > 0 ? Number(r.n) / r.seconds : NaN;
  } finally {
    await c.end();
  }
}

/** The sink ceiling: `n` signed POSTs from a separate process (delivery/sink-client.ts), timed by the endpoint. */
async function sinkCeiling(
  receiver: WebhookReceiver,
  n: number,
): Promise<{ perSecond: number; cpuMsPerRequest: number }> {
  const seen = receiver.receipts.length;
  const script = new URL('./delivery/sink-client.ts', import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(process.execPath, [
    script,
    receiver.url,
    String(n),
    String(CONCURRENCY),
    TEST_WEBHOOK_SECRET,
  ]);
  const { ok, cpuMsPerRequest } = JSON.parse(stdout) as { ok: number; cpuMsPerRequest: number };
  if (ok !== n) throw new Error(`the sink answered ${ok} of ${n} with 2xx`);
  const mine = receiver.receipts.slice(seen);
  const first = mine[0]?.at ?? 0;
  const last = mine.at(-1)?.at ?? 0;
  return { perSecond: (mine.length - 1) / ((last - first) / 1000), cpuMsPerRequest };
}

/** CPU time (user + system) a process has used so far, ms; from /proc, so Linux only (NaN elsewhere). */
function cpuMsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime, fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = Number(
  (() => {
    try {
      return execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    } catch {
      return '100';
    }
  })(),
);

/**
 * Where accept-to-sink time goes, per delivery of the latency run, from the rows' own timestamps
 * (one clock: PostgreSQL and the bench run on the same machine): POST sent → notification stored
 * (`created_at`), → planned (`planned_at`), → send started (the first attempt's `started_at`),
 * → received by the endpoint. p50/p99 of each stage, ms.
 */
async function latencyStages(
  db: pg.Client,
  receipts: { id: string; at: number; sentAt: number }[],
): Promise<Record<string, number>> {
  const { rows } = await db.query<{ id: string; created: number; planned: number; started: number }>(
    `select d.id, extract(epoch from n.created_at) * 1000 as created,
            extract(epoch from n.planned_at) * 1000 as planned, extract(epoch from a.started_at) * 1000 as started
       from deliveries d
       join notifications n on n.id = d.notification_id
       join delivery_attempts a on a.delivery_id = d.id and a.attempt = 1
      where d.id = any($1::uuid[])`,
    [receipts.map((r) => r.id)],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const stages: Record<string, number[]> = { stored: [], planned: [], sendStarted: [], received: [] };
  for (const r of receipts) {
    const row = byId.get(r.id);
    if (!row) continue;
    const [created, planned, started] = [Number(row.created), Number(row.planned), Number(row.started)];
    stages.stored?.push(created - r.sentAt);
    stages.planned?.push(planned - created);
    stages.sendStarted?.push(started - planned);
    stages.received?.push(r.at - started);
  }
  const out: Record<string, number> = {};
  for (const [name, list] of Object.entries(stages)) {
    list.sort((a, b) => a - b);
    out[`${name}P50`] = round(percentile(list, 50), 1);
    out[`${name}P99`] = round(percentile(list, 99), 1);
  }
  return out;
}

/**
 * How many sends the lane had going on average over the latency run (their attempts' durations over
 * the run's span), against the concurrency it may use: near the concurrency, the lane is bound by its
 * slots; well below it while sends wait, by what feeds it (claims, hand-overs).
 */
async function sendsInFlight(
  db: pg.Client,
  receipts: { id: string }[],
): Promise<{ sendsInFlight: number; sendMsP50: number; sendMsP99: number; sendMsMean: number }> {
  const { rows } = await db.query<{ busy: number; span: number; p50: number; p99: number; mean: number }>(
    `select sum(a.duration_ms)::float8 as busy,
            extract(epoch from max(a.started_at) - min(a.started_at))::float8 * 1000 as span,
            percentile_disc(0.5) within group (order by a.duration_ms)::float8 as p50,
            percentile_disc(0.99) within group (order by a.duration_ms)::float8 as p99,
            avg(a.duration_ms)::float8 as mean
       from delivery_attempts a where a.delivery_id = any($1::uuid[]) and a.attempt = 1`,
    [receipts.map((r) => r.id)],
  );
  const r = rows[0];
  return {
    sendsInFlight: r ? round(r.busy / r.span, 1) : NaN,
    sendMsP50: r ? r.p50 : NaN,
    sendMsP99: r ? r.p99 : NaN,
    // Far above the median: a send's slot is held while its process waits for a CPU, not the sink.
    sendMsMean: r ? round(r.mean, 1) : NaN,
  };
}

/**
 * Buffer pages read (shared hits and reads) and commits in the bench's database so far, from
 * pg_stat_database. Backends report these at most once a second, hence the wait first.
 */
async function databaseWork(db: pg.Client, name: string): Promise<{ pages: number; commits: number }> {
  await sleep(1100);
  const { rows } = await db.query<{ pages: string; commits: string }>(
    `select blks_hit + blks_read as pages, xact_commit as commits from pg_stat_database where datname = $1`,
    [name],
  );
  return { pages: Number(rows[0]?.pages ?? NaN), commits: Number(rows[0]?.commits ?? NaN) };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const envWithoutDatabase = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'DATABASE_URL'));

/** What a drain says about itself on stderr. */
function sayDrain(d: DrainFigures) {
  say(
    `  ${d.workers} worker(s): ${d.perSecond.toFixed(0)} deliveries/s, CPU ${d.cpuMsPerDelivery.toFixed(3)} ms,` +
      ` ${d.pagesPerDelivery.toFixed(1)} pages, ${d.commitsPerDelivery.toFixed(3)} commits per delivery;` +
      ` lock waits in ${Object.values(d.lockWaitSamples).reduce((a, b) => a + b, 0)} of ${d.samples} samples`,
  );
  if (Object.keys(d.lockWaitSamples).length > 0) say(`    waiting: ${JSON.stringify(d.lockWaitSamples)}`);
  if (d.statementsPerDelivery !== undefined)
    say(
      `    ${d.statementsPerDelivery.toFixed(2)} statements per delivery; lane claims ${JSON.stringify(d.laneClaims)},` +
        ` planner claims ${JSON.stringify(d.planClaims)}; handed over ${d.handedOver}, wakes heard ${d.wakesHeard},` +
        ` pool acquire p99 ${d.poolAcquireP99Ms} ms`,
    );
}

/** `rounds` pairs of drains by one and by two workers, alternating which goes first. */
async function workerPairs(env: Record<string, string>, receiver: WebhookReceiver, rounds: number) {
  const ones: DrainFigures[] = [];
  const twos: DrainFigures[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const workers of r % 2 === 0 ? [1, 2] : [2, 1]) {
      say(`workers: ${N} notifications in a fresh database, ${workers} worker process(es), warmed…`);
      const d = await workersDrain(env, receiver, N, workers, ADMIN, CLOCK_TICKS);
      sayDrain(d);
      (workers === 1 ? ones : twos).push(d);
    }
  }
  const pick = (list: DrainFigures[]) => list[0] as DrainFigures;
  return { one: pick(ones), two: pick(twos), ones, twos };
}

/** BENCH_PART=workers: only the pairs of one- and two-worker drains. */
async function workersOnly() {
  const rounds = Number(process.env.BENCH_WORKER_ROUNDS ?? 2);
  const receiver = await startWebhookReceiver();
  try {
    const config = writeConfig(tempDir('herald-bench-'), benchConfig());
    const { ones, twos } = await workerPairs(
      { HERALD_CONFIG: config, HERALD_ADMIN_TOKEN: ADMIN, HERALD_LOG_LEVEL: 'info' },
      receiver,
      rounds,
    );
    const ratios = twos.map((t, i) => round(t.perSecond / (ones[i]?.perSecond ?? NaN), 3));
    const strip = (d: DrainFigures) => ({ ...d, statements: undefined });
    process.stdout.write(
      `${JSON.stringify({ bench: 'delivery-workers', n: N, twoVsOne: ratios, duplicates: receiver.duplicates().extra, ones: ones.map(strip), twos: twos.map(strip) })}\n`,
    );
    if (process.env.BENCH_COUNT_STATEMENTS === '1') {
      for (const d of [...ones, ...twos])
        say(`statements, ${d.workers} worker(s): ${JSON.stringify(d.statements)}`);
    }
  } finally {
    await receiver.close();
  }
}

/** The processes' config file: the webhook provider, the lane's concurrency, no rate limit. */
const benchConfig = () => ({
  // The bench's webhook receiver listens on loopback.
  allowPrivateWebhookUrls: true,
  providers: { webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET }] },
  worker: { concurrency: CONCURRENCY, pollMs: 200 },
  apiRateLimit: { perSecond: 1_000_000 },
});

async function main() {
  let raw = NaN;
  let graphile = NaN;
  if (!PART_ONLY) {
    say(`raw SQL: claim 100 + complete on a minimal table, 8 connections, ${QN} rows…`);
    raw = await inFreshDatabase((url) => rawClaim(url, QN, 8));
    say(`  ${raw.toFixed(0)} rows/s`);
    say(`graphile-worker: ${QN} no-op jobs, concurrency ${CONCURRENCY}…`);
    graphile = await inFreshDatabase((url) => graphileNoop(url, QN, CONCURRENCY));
    say(`  ${graphile.toFixed(0)} jobs/s`);
  }

  const tdb: TestDatabase = await freshDatabase();
  if (process.env.BENCH_DELIVERY_EXPLAIN) {
    // Every statement of the Herald processes, with its buffers, in the server's log (auto_explain;
    // triggers' statements too): where the pages per delivery go. Heavy: for looking, not timing.
    const admin = new pg.Client({ connectionString: tdb.url });
    await admin.connect();
    for (const setting of [
      `session_preload_libraries = 'auto_explain'`,
      `auto_explain.log_min_duration = 0`,
      `auto_explain.log_analyze = on`,
      `auto_explain.log_buffers = on`,
      `auto_explain.log_timing = off`,
      `auto_explain.log_nested_statements = on`,
    ])
      await admin.query(`alter database "${tdb.name}" set ${setting}`);
    await admin.end();
    say(`auto_explain on in ${tdb.name}`);
  }
  const receiver = await startWebhookReceiver();
  const config = writeConfig(tempDir('herald-bench-'), benchConfig());
  const env = {
    DATABASE_URL: tdb.url,
    HERALD_CONFIG: config,
    HERALD_ADMIN_TOKEN: ADMIN,
    HERALD_LOG_LEVEL: 'info',
  };
  const procs: Awaited<ReturnType<typeof startHeraldProcess>>[] = [];
  const db = new pg.Client({ connectionString: tdb.url });
  const stopWorkers = async () => {
    for (const p of procs.splice(1).reverse()) await p.stop();
  };
  try {
    // Migrate by starting the API once; the lane bench shares the database but not its rows.
    const apiProc = await startHeraldProcess('api', env);
    procs.push(apiProc);
    await db.connect();
    const admin = client(apiProc.url, ADMIN);
    const api = client(apiProc.url, (await registerService(admin)).apiKey);
    const send = (i: number) =>
      api.post('/v1/notifications', {
        type: 'order_shipped',
        recipient: { id: `r${i % 1000}` },
        channels: ['webhook'],
        content: { webhook: { url: receiver.url, payload: { i } } },
      });

    let lane = NaN;
    if (!PART_ONLY) {
      say(`lane: Herald's claim + instant send + settle of ${QN} deliveries, concurrency ${CONCURRENCY}…`);
      lane = await heraldLane(tdb.url, QN, CONCURRENCY, (err) => say(`lane error: ${String(err)}`));
      say(`  ${lane.toFixed(0)} deliveries/s`);
    }

    /** Accepts `count` notifications with no worker running, starts `workers`, times the drain. */
    const drain = async (from: number, count: number, workers: number) => {
      const ta = performance.now();
      for (let i = 0; i < count; i += 50) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(50, count - i) }, (_, k) => send(from + i + k)),
        );
        if (batch.some((r) => r.status !== 202)) throw new Error('a notification was refused');
      }
      const acceptPerSecond = count / ((performance.now() - ta) / 1000);
      const seen = receiver.receipts.length;
      const target = receiver.received.size + count;
      // BENCH_WORKER_NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the workers.
      const workerEnv = process.env.BENCH_WORKER_NODE_OPTIONS
        ? { ...env, NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS }
        : env;
      // The backlog is held (leased to nobody) until every worker is up, so a worker's start-up
      // (loading and compiling its code, a second or so of CPU) is not counted against the others,
      // and two workers are compared with one on the same footing.
      await db.query(`update notifications set plan_status = 'planning', lease_owner = 'bench-hold',
                        lease_expires_at = now() + interval '1 hour' where plan_status = 'pending'`);
      for (let w = 0; w < workers; w++) procs.push(await startHeraldProcess('worker', workerEnv));
      const pids = procs.slice(-workers).map((p) => p.child.pid);
      const dbBefore = await databaseWork(db, tdb.name);
      const cpuBefore = pids.map(cpuMsOf);
      await db.query(`update notifications set lease_expires_at = now() - interval '1 second'
                       where lease_owner = 'bench-hold'`);
      await db.query(`select pg_notify('herald_wake', 'plan')`);
      await until(() => receiver.received.size >= target, 600_000);
      // The workers' CPU per delivery over the drain (plan, claim, send, settle; start-up excluded).
      const cpuMs = pids.map(cpuMsOf).reduce((sum, ms, i) => sum + ms - (cpuBefore[i] ?? NaN), 0);
      const dbAfter = await databaseWork(db, tdb.name);
      // From the first receipt to the last, so the workers' start-up is not counted.
      const mine = receiver.receipts.slice(seen);
      const first = mine[0]?.at ?? 0;
      const last = mine.at(-1)?.at ?? 0;
      return {
        acceptPerSecond,
        perSecond: (mine.length - 1) / ((last - first) / 1000),
        cpuMsPerDelivery: cpuMs / count,
        // PostgreSQL's side, which CPU figures under a busy machine hide: pages read and commits.
        pagesPerDelivery: (dbAfter.pages - dbBefore.pages) / count,
        commitsPerDelivery: (dbAfter.commits - dbBefore.commits) / count,
      };
    };

    let sink = { perSecond: NaN, cpuMsPerRequest: NaN };
    let one = {
      acceptPerSecond: NaN,
      perSecond: NaN,
      cpuMsPerDelivery: NaN,
      pagesPerDelivery: NaN,
      commitsPerDelivery: NaN,
    };
    let planPerSecond = NaN;
    if (!LATENCY_ONLY) {
      if (!E2E_ONLY) {
        say(`sink: ${N} signed POSTs to the same endpoint from a bare undici loop in another process…`);
        sink = await sinkCeiling(receiver, N);
        say(
          `  ${sink.perSecond.toFixed(0)} requests/s, ${sink.cpuMsPerRequest.toFixed(3)} ms CPU per request`,
        );
      }

      say(`e2e: ${N} notifications accepted with no worker, then one worker…`);
      one = await drain(0, N, 1);
      say(
        `  accepted at ${one.acceptPerSecond.toFixed(0)}/s; ${one.perSecond.toFixed(0)} deliveries/s end to end`,
      );
      planPerSecond = await planPace(tdb.url);
      say(`  planner ${planPerSecond.toFixed(0)} notifications/s over the same run`);
      say(`  worker CPU ${one.cpuMsPerDelivery.toFixed(3)} ms per delivery`);
      say(
        `  database: ${one.pagesPerDelivery.toFixed(1)} pages read, ${one.commitsPerDelivery.toFixed(3)} commits per delivery`,
      );
    } else {
      const workerEnv = process.env.BENCH_WORKER_NODE_OPTIONS
        ? { ...env, NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS }
        : env;
      procs.push(await startHeraldProcess('worker', workerEnv));
    }

    if (E2E_ONLY) {
      process.stdout.write(
        `${JSON.stringify({ bench: 'delivery', part: 'e2e', n: N, planPerSecond, ...one })}\n`,
      );
      return;
    }

    // The goal's rate is half the e2e maximum; when the API cannot accept that many (the accept
    // path is measured by `bench -- accept`), the rate is half what it accepted, and flagged.
    const halfE2e = Math.max(1, Math.round(one.perSecond / 2));
    const acceptBound = Math.max(1, Math.round(one.acceptPerSecond / 2));
    const rate = Number(process.env.BENCH_RATE ?? (LATENCY_ONLY ? 700 : Math.min(halfE2e, acceptBound)));
    const limitedByAccept = acceptBound < halfE2e;
    say(
      `latency: ${rate}/s for ${SECONDS} s, accept to sink` +
        (limitedByAccept ? ` (half the accept rate; half the e2e rate would be ${halfE2e}/s)…` : '…'),
    );
    // The latency run's own costs: the worker's CPU and PostgreSQL's pages per delivery while the
    // API accepts beside it (the drains above have no API traffic).
    const workerPid = procs[1]?.child.pid;
    const latencyDbBefore = await databaseWork(db, tdb.name);
    const latencyCpuBefore = cpuMsOf(workerPid);
    const sentAt = new Map<number, number>();
    // How long each POST took to answer 202: the accept path's share of accept-to-sink.
    const acceptMs: number[] = [];
    const base = LATENCY_ONLY ? 0 : N;
    const seen = receiver.receipts.length;
    const total = rate * SECONDS;
    const t0 = performance.now();
    const posts: Promise<unknown>[] = [];
    // Open-loop load: each tick sends every request that is due by now, so the offered rate does
    // not depend on timer resolution or on how busy this process's event loop is (one sleep per
    // request offered a third of the rate asked for).
    for (let k = 0; k < total;) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      for (; k < due; k++) {
        const at = Date.now();
        sentAt.set(base + k, at);
        posts.push(send(base + k).then(() => acceptMs.push(Date.now() - at)));
      }
      await sleep(Math.max(1, t0 + (k * 1000) / rate - performance.now()));
    }
    const offeredSeconds = (performance.now() - t0) / 1000;
    await Promise.all(posts);
    await until(() => receiver.received.size >= (LATENCY_ONLY ? 0 : N) + total, 120_000);
    const latencies: number[] = [];
    const timed: { id: string; at: number; sentAt: number }[] = [];
    for (const r of receiver.receipts.slice(seen)) {
      const start = sentAt.get(r.body.data.i as number);
      if (start === undefined) continue;
      latencies.push(r.at - start);
      timed.push({ id: r.id, at: r.at, sentAt: start });
    }
    const latencyCpuMs = cpuMsOf(workerPid) - latencyCpuBefore;
    const stages = await latencyStages(db, timed);
    const latencyDbAfter = await databaseWork(db, tdb.name);
    const latencyWork = {
      workerCpuMsPerDelivery: round(latencyCpuMs / total, 3),
      // Includes the accepts' own pages (the API writes to the same database).
      dbPagesPerDelivery: round((latencyDbAfter.pages - latencyDbBefore.pages) / total, 1),
      ...(await sendsInFlight(db, timed)),
    };
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    acceptMs.sort((a, b) => a - b);
    const acceptP50 = percentile(acceptMs, 50);
    const acceptP99 = percentile(acceptMs, 99);
    say(
      `  offered ${(total / offeredSeconds).toFixed(0)}/s; p50 ${p50} ms, p99 ${p99} ms over ${latencies.length}`,
    );
    say(`  of which the POST's own answer (202): p50 ${acceptP50} ms, p99 ${acceptP99} ms`);
    say(`  stages (ms, p50/p99): ${JSON.stringify(stages)}`);
    say(`  work: ${JSON.stringify(latencyWork)}`);

    await stopWorkers();
    // The latency part alone leaves the pairs of one- and two-worker drains out (BENCH_PART=workers runs them alone).
    const { one: oneOfPair, two } = LATENCY_ONLY
      ? { one, two: one }
      : await workerPairs(envWithoutDatabase(env), receiver, 1);
    const duplicates = receiver.duplicates().extra;

    const figures = {
      bench: 'delivery',
      n: N,
      queueN: QN,
      concurrency: CONCURRENCY,
      rawClaimPerSecond: round(raw),
      graphilePerSecond: round(graphile),
      lanePerSecond: round(lane),
      e2ePerSecond: round(one.perSecond),
      sinkPerSecond: round(sink.perSecond),
      twoWorkersPerSecond: round(two.perSecond),
      acceptPerSecond: round(one.acceptPerSecond),
      planPerSecond: round(planPerSecond),
      laneVsGraphile: round(lane / graphile, 3),
      e2eVsGraphile: round(one.perSecond / graphile, 3),
      e2eVsSink: round(one.perSecond / sink.perSecond, 3),
      workerCpuMsPerDelivery: round(one.cpuMsPerDelivery, 3),
      oneWorkerPerSecond: round(oneOfPair.perSecond),
      oneWorkerCpuMsPerDelivery: round(oneOfPair.cpuMsPerDelivery, 3),
      twoWorkersCpuMsPerDelivery: round(two.cpuMsPerDelivery, 3),
      dbPagesPerDelivery: round(one.pagesPerDelivery, 1),
      oneWorkerDbPagesPerDelivery: round(oneOfPair.pagesPerDelivery, 1),
      twoWorkersDbPagesPerDelivery: round(two.pagesPerDelivery, 1),
      dbCommitsPerDelivery: round(one.commitsPerDelivery, 3),
      oneWorkerDbCommitsPerDelivery: round(oneOfPair.commitsPerDelivery, 3),
      twoWorkersDbCommitsPerDelivery: round(two.commitsPerDelivery, 3),
      sinkClientCpuMsPerRequest: round(sink.cpuMsPerRequest, 3),
      laneVsRaw: round(lane / raw, 3),
      twoVsOne: round(two.perSecond / oneOfPair.perSecond, 3),
      latencyRate: rate,
      halfE2eRate: halfE2e,
      limitedByAccept,
      p50Ms: p50,
      p99Ms: p99,
      acceptP50Ms: acceptP50,
      acceptP99Ms: acceptP99,
      latencyStagesMs: stages,
      latencyWork,
      offeredPerSecond: round(total / offeredSeconds),
      duplicates,
      goals: {
        laneAtLeastHalfGraphile: lane >= 0.5 * graphile,
        e2eAtLeastQuarterGraphile: one.perSecond >= 0.25 * graphile,
        p99AtMost200AtHalfRate: rate >= halfE2e && p99 <= 200,
        twoWorkersNoDuplicatesNotSlower: duplicates === 0 && two.perSecond >= oneOfPair.perSecond,
      },
    };
    say(
      `\n  lane ${figures.lanePerSecond}/s, e2e ${figures.e2ePerSecond}/s vs graphile-worker ${figures.graphilePerSecond}/s` +
        ` → ${figures.laneVsGraphile} / ${figures.e2eVsGraphile}; raw SQL ${figures.rawClaimPerSecond}/s;` +
        ` sink ceiling ${figures.sinkPerSecond}/s → e2e ${figures.e2eVsSink} of it`,
    );
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await db.end().catch(() => undefined);
    await receiver.close();
    await tdb.drop();
  }
}

await (process.env.BENCH_PART === 'workers' ? workersOnly() : main());
