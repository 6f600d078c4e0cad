/**
 * Accepting notifications, against what the box does without Herald, all in one run.
 *
 * Server mode (a fresh PostgreSQL database, `herald api` as its own process, no worker):
 *   single        POST /v1/notifications at 64 connections (webhook channel, idempotency key,
 *                 inline recipient), requests/s and p99
 *   bare          a bare Fastify route with the same JSON schema, answering at once      (ceiling a)
 *   batched       the same route writing each body with INSERTs batched every 2 ms into a table
 *                 shaped like `notifications`                                           (ceiling b)
 *   p99 at 70 %   the single POST at a fixed 70 % of its measured maximum
 *   batch         POST /v1/notifications/batch with 1,000 items, notifications/s (4 fetch loops,
 *                 like the unnest's: every call started is counted to its end)
 *   unnest        raw `insert … select from unnest` of 1,000 rows into the same-shaped table
 *                 (same columns and indexes, rows as wide: see accept/shape.ts)
 *   The batch and the unnest run in alternating slices (BENCH_SLICES, 3), so that both see the same
 *   share of a busy machine; the CPU each spends per 1,000 rows (the API process, the PostgreSQL
 *   backends) is read from /proc beside the rates, as evidence that does not move with the load.
 * Embedded mode (`herald start`: PGlite in a data folder, API and worker in one process):
 *   embedded      the single POST at 64 connections
 *   pglite        PGlite's own single-row autocommit INSERTs on a fresh data folder, same table shape
 *
 * Load comes from autocannon in this process. Sizes: BENCH_SECONDS (10), BENCH_CONNECTIONS (64).
 * Ends with one JSON line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { client, registerService } from '../test/helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig } from '../test/helpers/herald-process.ts';
import { freshDatabase } from '../test/helpers/pg.ts';
import { NOTIFICATIONS_SHAPE, REQUEST_HASH } from './accept/shape.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const BATCH_CONNECTIONS = 4;
const SLICES = Number(process.env.BENCH_SLICES ?? 3);
const ADMIN = 'bench-admin-token-0123456789';
const say = (line: string) => process.stderr.write(`${line}\n`);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

let sequence = 0;
const notification = () => {
  sequence += 1;
  return {
    type: 'order_shipped',
    recipient: { id: `r${sequence % 1000}` },
    channels: ['webhook'],
    content: { webhook: { url: 'http://127.0.0.1:9/hook', payload: { order: sequence } } },
  };
};

async function load(
  url: string,
  options: { apiKey?: string; connections?: number; rate?: number; seconds?: number },
): Promise<Load> {
  const result = await autocannon({
    url: `${url}/v1/notifications`,
    method: 'POST',
    connections: options.connections ?? CONNECTIONS,
    duration: options.seconds ?? SECONDS,
    ...(options.rate ? { overallRate: options.rate } : {}),
    headers: {
      'content-type': 'application/json',
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    },
    requests: [
      {
        setupRequest: (req) => {
          return {
            ...req,
            headers: { ...req.headers, 'idempotency-key': randomUUID() },
            body: JSON.stringify(notification()),
          };
        },
      },
    ],
  });
  // Only answers that accepted count: a 429 or 503 answered fast is not throughput.
  const total = result.requests.total;
  const accepted = total > 0 ? (total - result.non2xx) / total : 0;
  return {
    rps: result.requests.average * accepted,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function startCeiling(
  mode: 'bare' | 'batched',
  databaseUrl: string,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [here('./accept/ceiling-server.ts'), mode, databaseUrl], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^(http:\/\/\S+)\n/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`ceiling server exited (${code})`)));
  });
  return { url, child };
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

/** CPU time (ms) a process has used, from /proc; 0 where there is no /proc to read. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** The CPU of the PostgreSQL backends serving this database (other than `admin`'s own). */
async function backendsCpuMs(admin: pg.Client): Promise<() => number> {
  const { rows } = await admin.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  return () => rows.reduce((sum, r) => sum + cpuMs(r.pid), 0);
}

async function rawUnnest(
  databaseUrl: string,
  seconds = SECONDS,
  pool = new pg.Pool({ connectionString: databaseUrl, max: BATCH_CONNECTIONS }),
): Promise<{ rows: number; elapsedMs: number }> {
  const serviceId = randomUUID();
  const body = JSON.stringify({ webhook: { url: 'http://127.0.0.1:9/hook', payload: { order: 1 } } });
  let rows = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: BATCH_CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const ids = Array.from({ length: 1000 }, () => randomUUID());
        await pool.query(
          `insert into bench_notifications (id, service_id, type, recipient_id, channels, data, content, priority, idempotency_key, request_hash)
           select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::jsonb[], $8::smallint[], $9::text[], $10::text[])`,
          [
            ids,
            ids.map(() => serviceId),
            ids.map(() => 'order_shipped'),
            ids.map((_, i) => `r${i}`),
            ids.map(() => '["webhook"]'),
            ids.map(() => '{}'),
            ids.map(() => body),
            ids.map(() => 2),
            ids,
            ids.map(() => REQUEST_HASH),
          ],
        );
        rows += 1000;
      }
    }),
  );
  return { rows, elapsedMs: performance.now() - t0 };
}

/**
 * POST /v1/notifications/batch of 1,000 from BATCH_CONNECTIONS loops for `seconds`, each body made
 * as it is sent: the same loop as the raw unnest's, so that both count every call they started,
 * to its end, over the time they took.
 */
async function batchPosts(url: string, apiKey: string, seconds: number) {
  let notifications = 0;
  let failed = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: BATCH_CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const notifications1000 = Array.from({ length: 1000 }, () => ({
          ...notification(),
          idempotencyKey: randomUUID(),
        }));
        const res = await fetch(`${url}/v1/notifications/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify({ notifications: notifications1000 }),
        });
        const body = (await res.json()) as { results?: { status: number }[] };
        const accepted = body.results?.filter((r) => r.status === 202).length ?? 0;
        notifications += accepted;
        failed += 1000 - accepted;
      }
    }),
  );
  return { notifications, failed, elapsedMs: performance.now() - t0 };
}

/**
 * The batch endpoint and the raw unnest, in alternating slices of the same length, each with the
 * CPU it took: the API process and the backends for the batch, the backends for the unnest.
 */
async function batchAgainstUnnest(
  api: { url: string; pid: number | undefined },
  apiKey: string,
  databaseUrl: string,
  admin: pg.Client,
) {
  const slice = Math.max(1, SECONDS / SLICES);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: BATCH_CONNECTIONS });
  // Connected before the first slice, so that the pool's backends are among those read.
  await Promise.all(Array.from({ length: BATCH_CONNECTIONS }, () => pool.connect().then((c) => c.release())));
  const batch = { notifications: 0, seconds: 0, apiCpuMs: 0, pgCpuMs: 0, failed: 0 };
  const unnest = { rows: 0, seconds: 0, pgCpuMs: 0 };
  try {
    for (let i = 0; i < SLICES; i++) {
      const batchPg = await backendsCpuMs(admin);
      const [batchPg0, api0] = [batchPg(), cpuMs(api.pid)];
      const b = await batchPosts(api.url, apiKey, slice);
      batch.notifications += b.notifications;
      batch.seconds += b.elapsedMs / 1000;
      batch.apiCpuMs += cpuMs(api.pid) - api0;
      batch.pgCpuMs += batchPg() - batchPg0;
      batch.failed += b.failed;
      const unnestPg = await backendsCpuMs(admin);
      const unnestPg0 = unnestPg();
      const u = await rawUnnest(databaseUrl, slice, pool);
      unnest.rows += u.rows;
      unnest.seconds += u.elapsedMs / 1000;
      unnest.pgCpuMs += unnestPg() - unnestPg0;
    }
  } finally {
    await pool.end();
  }
  return { batch, unnest };
}

async function serverMode() {
  const tdb = await freshDatabase();
  const admin = new pg.Client({ connectionString: tdb.url });
  await admin.connect();
  await admin.query(NOTIFICATIONS_SHAPE);
  const config = writeConfig(tempDir('herald-bench-accept-'), {
    allowPrivateWebhookUrls: true,
    // The per-service limit (1,000/s by default) would answer most of the load with 429s.
    apiRateLimit: { perSecond: 1_000_000 },
    providers: {
      webhook: [{ name: 'hooks', type: 'webhook', secret: 'whsec_YmVuY2hzZWNyZXRiZW5jaHNlY3JldGJlbmNo' }],
    },
  });
  const api = await startHeraldProcess('api', {
    DATABASE_URL: tdb.url,
    HERALD_CONFIG: config,
    HERALD_ADMIN_TOKEN: ADMIN,
  });
  try {
    const { apiKey } = await registerService(client(api.url, ADMIN), 'bench');
    say('server: warming up');
    await load(api.url, { apiKey, seconds: 2 });
    const single = await load(api.url, { apiKey });
    say(`server: single ${JSON.stringify(single)}`);
    const rate = Math.max(1, Math.round(single.rps * 0.7));
    const at70 = await load(api.url, { apiKey, rate });
    say(`server: at 70 % (${rate}/s) ${JSON.stringify(at70)}`);
    const versus = await batchAgainstUnnest({ url: api.url, pid: api.child.pid }, apiKey, tdb.url, admin);
    say(`server: batch of 1,000 against raw unnest, ${SLICES} slices each ${JSON.stringify(versus)}`);
    const batch = {
      rps: versus.batch.notifications / 1000 / versus.batch.seconds,
      p50: 0,
      p99: 0,
      non2xx: versus.batch.failed,
      errors: 0,
    };
    await api.stop();

    const bare = await startCeiling('bare', tdb.url);
    const bareLoad = await load(bare.url, {});
    await stop(bare.child);
    say(`ceiling a (bare Fastify): ${JSON.stringify(bareLoad)}`);
    const batched = await startCeiling('batched', tdb.url);
    const batchedLoad = await load(batched.url, {});
    await stop(batched.child);
    say(`ceiling b (INSERTs batched every 2 ms): ${JSON.stringify(batchedLoad)}`);
    const unnest = versus.unnest.rows / versus.unnest.seconds;
    return { single, at70: { rate, ...at70 }, batch, bareLoad, batchedLoad, unnest, versus };
  } finally {
    await api.stop();
    await admin.end();
    await tdb.drop();
  }
}

async function pgliteCommits(): Promise<number> {
  const dir = join(tempDir('herald-bench-pglite-'), 'pgdata');
  const child = spawn(
    process.execPath,
    [here('./accept/pglite-commits.ts'), dir, String(Math.min(SECONDS, 5))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((r) => child.once('exit', r));
  return (JSON.parse(out.trim()) as { commitsPerSecond: number }).commitsPerSecond;
}

async function embeddedMode() {
  const dir = tempDir('herald-bench-embedded-');
  const config = writeConfig(dir, {
    allowPrivateWebhookUrls: true,
    apiRateLimit: { perSecond: 1_000_000 },
    providers: {
      webhook: [{ name: 'hooks', type: 'webhook', secret: 'whsec_YmVuY2hzZWNyZXRiZW5jaHNlY3JldGJlbmNo' }],
    },
  });
  const herald = await startHeraldProcess('start', {
    HERALD_DATA_DIR: join(dir, 'data'),
    HERALD_CONFIG: config,
    HERALD_ADMIN_TOKEN: ADMIN,
  });
  try {
    const { apiKey } = await registerService(client(herald.url, ADMIN), 'bench');
    say('embedded: warming up');
    await load(herald.url, { apiKey, seconds: 2 });
    const single = await load(herald.url, { apiKey });
    say(`embedded: single ${JSON.stringify(single)}`);
    return single;
  } finally {
    await herald.stop();
  }
}

// BENCH_PART=server|embedded runs one half (the JSON line then holds zeros for the other).
const part = process.env.BENCH_PART;
const none = { rps: 0, p50: 0, p99: 0, non2xx: 0, errors: 0 };
const server =
  part === 'embedded'
    ? {
        single: none,
        at70: { rate: 0, ...none },
        batch: none,
        bareLoad: none,
        batchedLoad: none,
        unnest: 0,
        versus: null,
      }
    : await serverMode();
const embedded = part === 'server' ? none : await embeddedMode();
const pglite = part === 'server' ? 0 : await pgliteCommits();
say(`PGlite single-row commits: ${Math.round(pglite)}/s`);

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const batchPerSecond = server.batch.rps * 1000;
const figures = {
  bench: 'accept',
  connections: CONNECTIONS,
  seconds: SECONDS,
  server: {
    singleRps: Math.round(server.single.rps),
    singleP99Ms: server.single.p99,
    bareFastifyRps: Math.round(server.bareLoad.rps),
    batchedInsertRps: Math.round(server.batchedLoad.rps),
    singleVsBatched: round(server.single.rps / server.batchedLoad.rps),
    at70: {
      rate: server.at70.rate,
      rps: Math.round(server.at70.rps),
      p50Ms: server.at70.p50,
      p99Ms: server.at70.p99,
    },
    batchNotificationsPerSecond: Math.round(batchPerSecond),
    rawUnnestRowsPerSecond: Math.round(server.unnest),
    batchVsUnnest: round(batchPerSecond / server.unnest),
    // CPU per 1,000 rows: the batch's API process and backends, the unnest's backends.
    cpuMsPer1000: server.versus
      ? {
          batchApi: round((server.versus.batch.apiCpuMs / server.versus.batch.notifications) * 1000, 1),
          batchPostgres: round((server.versus.batch.pgCpuMs / server.versus.batch.notifications) * 1000, 1),
          unnestPostgres: round((server.versus.unnest.pgCpuMs / server.versus.unnest.rows) * 1000, 1),
        }
      : null,
    errors: server.single.non2xx + server.single.errors + server.batch.non2xx + server.batch.errors,
  },
  embedded: {
    singleRps: Math.round(embedded.rps),
    singleP99Ms: embedded.p99,
    pgliteCommitsPerSecond: Math.round(pglite),
    embeddedVsPglite: round(embedded.rps / pglite),
    errors: embedded.non2xx + embedded.errors,
  },
  // null: that half was not run (BENCH_PART).
  goals: {
    singleAtLeastHalfOfBatched:
      part === 'embedded' ? null : server.single.rps >= 0.5 * server.batchedLoad.rps,
    batchAtLeastHalfOfUnnest: part === 'embedded' ? null : batchPerSecond >= 0.5 * server.unnest,
    p99At70PercentUnder50ms: part === 'embedded' ? null : server.at70.p99 <= 50,
    embeddedAtLeastQuarterOfPglite: part === 'server' ? null : embedded.rps >= 0.25 * pglite,
  },
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
