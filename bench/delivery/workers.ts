/**
 * Two worker processes against one, on the same footing: each drain runs in a fresh database of its
 * own (the same tables, empty, never vacuumed or analyzed: the shared server runs with autovacuum
 * off, so a drain run later in a used database walks the dead entries earlier runs left), with its
 * own `herald api` to accept into, and with its workers warmed first: BENCH_WARM (2000) notifications
 * per worker are delivered and only then is the timed backlog released, so neither side is timed
 * while its code is still being compiled. Each process compiles its own code, and two processes each
 * see half the calls: with 500 per worker the two workers took 0.37–0.41 ms of CPU per delivery
 * against one's 0.22–0.24, with 2500 0.25 against 0.20. The backlog is accepted before any worker
 * runs and held (leased to nobody) until then.
 *
 * Per drain: deliveries/s from the first receipt to the last; the workers' CPU (from /proc) and
 * PostgreSQL's pages and commits per delivery; lock waits seen by sampling pg_stat_activity every
 * 20 ms; and, when BENCH_COUNT_STATEMENTS=1, the workers' statements by shape (count-statements.ts),
 * with the lane and planner claims that came back empty.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { client, registerService } from '../../test/helpers/api.ts';
import { startHeraldProcess, type HeraldProcess } from '../../test/helpers/herald-process.ts';
import { freshDatabase } from '../../test/helpers/pg.ts';
import type { WebhookReceiver } from '../../test/fakes/webhook-receiver.ts';

/** How the statements counted begin: the lane's claim, the planner's claim, the planner's write. */
const LANE_CLAIM = 'with recursive waiting as ( select (select service_id from deliveries';
const PLAN_CLAIM = 'with ready as ( select 1 from notifications';
/** Returns the deliveries written leased to the planner's own lane (handed over without a claim). */
const PLANNED = 'with marked as ( update notifications';
const WARM = Number(process.env.BENCH_WARM ?? 2000);
const COUNT = process.env.BENCH_COUNT_STATEMENTS === '1';

export interface DrainFigures {
  workers: number;
  perSecond: number;
  cpuMsPerDelivery: number;
  pagesPerDelivery: number;
  commitsPerDelivery: number;
  /** Samples (every 20 ms) in which a backend of the drain's database waited on a lock, by what it ran. */
  lockWaitSamples: Record<string, number>;
  samples: number;
  /** Pages read per delivery by table and index (those with at least half a page). */
  pagesPerDeliveryBy: Record<string, number>;
  /** With BENCH_COUNT_STATEMENTS=1: the workers' statements per delivery, and the claims among them. */
  statementsPerDelivery?: number;
  laneClaims?: { n: number; empty: number };
  planClaims?: { n: number; empty: number };
  /** Deliveries the planners handed straight to their own lane (no lane claim). */
  handedOver?: number;
  /** Lane, planner and other wake-ups heard by the workers' LISTEN connections. */
  wakesHeard?: number;
  /** Waits for a pooled connection, p99 over the workers' acquires. */
  poolAcquireP99Ms?: number;
  statements?: Record<string, { n: number; empty: number; rows: number }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await sleep(5);
  }
}

function cpuMsOf(pid: number | undefined, ticks: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
  } catch {
    return NaN;
  }
}

async function databaseWork(db: pg.Client, name: string) {
  await sleep(1100);
  const { rows } = await db.query<{ pages: string; commits: string }>(
    `select blks_hit + blks_read as pages, xact_commit as commits from pg_stat_database where datname = $1`,
    [name],
  );
  // Pages by table and by index: where the pages per delivery go.
  const { rows: by } = await db.query<{ name: string; pages: string }>(
    `select relname as name, heap_blks_hit + heap_blks_read as pages from pg_statio_user_tables
     union all
     select indexrelname, idx_blks_hit + idx_blks_read from pg_statio_user_indexes`,
  );
  return {
    pages: Number(rows[0]?.pages ?? NaN),
    commits: Number(rows[0]?.commits ?? NaN),
    by: new Map(by.map((r) => [r.name, Number(r.pages)])),
  };
}

/** Sends SIGUSR2 to each worker and reads what count-statements.ts wrote. */
async function statementCounts(pids: number[], dir: string) {
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  await until(() => pids.every((pid) => readdirSync(dir).includes(`${pid}.json`)), 10_000);
  await sleep(50);
  const sum: Record<string, { n: number; empty: number; rows: number }> = {};
  for (const pid of pids) {
    const file = join(dir, `${pid}.json`);
    const shapes = JSON.parse(readFileSync(file, 'utf8')) as typeof sum;
    for (const [k, s] of Object.entries(shapes)) {
      const t = (sum[k] ??= { n: 0, empty: 0, rows: 0 });
      t.n += s.n;
      t.empty += s.empty;
      t.rows += s.rows;
    }
  }
  return sum;
}

/**
 * One drain of `n` notifications by `workers` worker processes, in a fresh database.
 * `env` is the processes' environment without DATABASE_URL.
 */
export async function workersDrain(
  env: Record<string, string>,
  receiver: WebhookReceiver,
  n: number,
  workers: number,
  admin: string,
  clockTicks: number,
): Promise<DrainFigures> {
  const tdb = await freshDatabase();
  const procs: HeraldProcess[] = [];
  const db = new pg.Client({ connectionString: tdb.url });
  const countDir = mkdtempSync(join(tmpdir(), 'herald-bench-counts-'));
  const nodeOptions = [
    process.env.BENCH_WORKER_NODE_OPTIONS ?? '',
    COUNT ? `--import=${new URL('./count-statements.ts', import.meta.url).pathname}` : '',
  ]
    .join(' ')
    .trim();
  const workerEnv = {
    ...env,
    DATABASE_URL: tdb.url,
    BENCH_COUNT_DIR: countDir,
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
  };
  try {
    const apiProc = await startHeraldProcess('api', { ...env, DATABASE_URL: tdb.url });
    procs.push(apiProc);
    await db.connect();
    const api = client(apiProc.url, (await registerService(client(apiProc.url, admin))).apiKey);
    const accept = async (count: number, tag: string) => {
      for (let i = 0; i < count; i += 50) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(50, count - i) }, (_, k) =>
            api.post('/v1/notifications', {
              type: 'order_shipped',
              recipient: { id: `r${(i + k) % 1000}` },
              channels: ['webhook'],
              content: { webhook: { url: receiver.url, payload: { tag, i: i + k } } },
            }),
          ),
        );
        if (batch.some((r) => r.status !== 202)) throw new Error('a notification was refused');
      }
    };
    // The timed backlog first, held; then the warm-up, left for the workers to find.
    await accept(n, 'timed');
    await db.query(`update notifications set plan_status = 'planning', lease_owner = 'bench-hold',
                      lease_expires_at = now() + interval '1 hour' where plan_status = 'pending'`);
    const warm = WARM * workers;
    await accept(warm, 'warm');
    const warmTarget = receiver.received.size + warm;
    for (let w = 0; w < workers; w++) procs.push(await startHeraldProcess('worker', workerEnv));
    const pids = procs.slice(1).map((p) => p.child.pid as number);
    await db.query(`select pg_notify('herald_wake', 'plan')`);
    await until(() => receiver.received.size >= warmTarget, 600_000);
    // Let the warm-up's last outcomes and rollups settle before the counters are read.
    await sleep(500);
    if (COUNT) await statementCounts(pids, countDir);
    const seen = receiver.receipts.length;
    const target = receiver.received.size + n;
    const before = await databaseWork(db, tdb.name);
    const cpuBefore = pids.map((pid) => cpuMsOf(pid, clockTicks));

    const sampler = new pg.Client({ connectionString: tdb.url });
    await sampler.connect();
    const lockWaitSamples: Record<string, number> = {};
    let samples = 0;
    let sampling = true;
    const sampling$ = (async () => {
      while (sampling) {
        const { rows } = await sampler.query<{ q: string }>(
          `select wait_event || ': ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 50) as q from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`,
        );
        samples += 1;
        for (const r of rows) lockWaitSamples[r.q] = (lockWaitSamples[r.q] ?? 0) + 1;
        await sleep(20);
      }
    })();

    await db.query(`update notifications set lease_expires_at = now() - interval '1 second'
                     where lease_owner = 'bench-hold'`);
    await db.query(`select pg_notify('herald_wake', 'plan')`);
    await until(() => receiver.received.size >= target, 600_000);
    const cpuMs = pids
      .map((pid) => cpuMsOf(pid, clockTicks))
      .reduce((sum, ms, i) => sum + ms - (cpuBefore[i] ?? NaN), 0);
    sampling = false;
    await sampling$;
    await sampler.end();
    const statements = COUNT ? await statementCounts(pids, countDir) : undefined;
    const after = await databaseWork(db, tdb.name);
    const mine = receiver.receipts.slice(seen);
    const first = mine[0]?.at ?? 0;
    const last = mine.at(-1)?.at ?? 0;
    const figures: DrainFigures = {
      workers,
      perSecond: (mine.length - 1) / ((last - first) / 1000),
      cpuMsPerDelivery: cpuMs / n,
      pagesPerDelivery: (after.pages - before.pages) / n,
      commitsPerDelivery: (after.commits - before.commits) / n,
      lockWaitSamples,
      samples,
      pagesPerDeliveryBy: Object.fromEntries(
        [...after.by]
          .map(([k, v]) => [k, Math.round(((v - (before.by.get(k) ?? 0)) / n) * 10) / 10] as const)
          .filter(([, v]) => v >= 0.5)
          .sort((a, b) => b[1] - a[1]),
      ),
    };
    if (statements) {
      const total = Object.entries(statements)
        .filter(([k]) => !k.startsWith('heard ') && !k.startsWith('pool acquire'))
        .reduce((sum, [, x]) => sum + x.n, 0);
      const sumOf = (match: (shape: string) => boolean) =>
        Object.entries(statements)
          .filter(([k]) => match(k))
          .reduce((t, [, s]) => ({ n: t.n + s.n, empty: t.empty + s.empty }), { n: 0, empty: 0 });
      figures.statementsPerDelivery = total / n;
      figures.laneClaims = sumOf((k) => k.startsWith(LANE_CLAIM));
      figures.planClaims = sumOf((k) => k.startsWith(PLAN_CLAIM));
      figures.handedOver = statements[Object.keys(statements).find((k) => k.startsWith(PLANNED)) ?? '']?.rows;
      figures.wakesHeard = Object.entries(statements)
        .filter(([k]) => k.startsWith('heard '))
        .reduce((sum, [, x]) => sum + x.n, 0);
      const p99 = statements['pool acquire ms p99'];
      if (p99) figures.poolAcquireP99Ms = p99.rows;
      figures.statements = statements;
    }
    return figures;
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await db.end().catch(() => undefined);
    await tdb.drop();
  }
}
