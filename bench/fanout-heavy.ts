/**
 * The heavy fan-out run (not part of `npm test`): for each audience size, a topic of N followers on a
 * fresh PostgreSQL database, a worker process planning and sending the broadcast to a local SMTP
 * sink, and a one-to-one notification sent every few seconds meanwhile. The largest size has its
 * worker killed (SIGKILL) mid fan-out and a new one resume it. Reports the planning rate, each
 * worker's peak RSS (VmHWM), exact delivery counts and the one-to-one latencies.
 *
 *   npm run fanout:heavy                      # 100,000 then 1,000,000 (or npm run bench -- fanout-heavy)
 *   FANOUT_HEAVY_SIZES=20000 npm run fanout:heavy
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import pg from 'pg';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config.ts';
import { startHerald } from '../src/main.ts';
import { client, registerService } from '../test/helpers/api.ts';
import {
  startHeraldProcess,
  tempDir,
  writeConfig,
  type HeraldProcess,
} from '../test/helpers/herald-process.ts';
import { freshDatabase } from '../test/helpers/pg.ts';

const SIZES = (process.env.FANOUT_HEAVY_SIZES ?? '100000,1000000').split(',').map(Number);
const KILL_AT = 0.4;
const HEAP_MB = Number(process.env.FANOUT_HEAVY_HEAP_MB ?? 256);
const ADMIN = 'heavy-admin-token-0123456789';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmHWM is the process's peak resident set so far; VmRSS is now. In MB. */
function rssMb(pid: number | undefined, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** An SMTP server that accepts and discards: the sink should cost the machine as little as possible. */
async function smtpSink(): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true&pool=true`,
    received: () => received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function run(size: number, kill: boolean) {
  const database = await freshDatabase();
  const sink = await smtpSink();
  const apiHerald = await startHerald(
    loadConfig({
      HERALD_DATA_DIR: 'memory://',
      HERALD_PORT: '0',
      HERALD_ADMIN_TOKEN: ADMIN,
      DATABASE_URL: database.url,
    }),
    { api: true, worker: false },
    pino({ level: 'silent' }),
  );
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  const q = async <T>(text: string, params: unknown[] = []) => (await sql.query(text, params)).rows[0] as T;
  const workers: HeraldProcess[] = [];
  try {
    const service = await registerService(client(apiHerald.url ?? '', ADMIN), 'Trinkerr', [
      'trade_executed',
      'password_reset',
    ]);
    const api = client(apiHerald.url ?? '', service.apiKey);
    let t = performance.now();
    await sql.query(
      `insert into recipients (service_id, id, email, attributes)
       select $1, 'f' || lpad(g::text, 8, '0'), 'f' || g || '@example.com', jsonb_build_object('portfolio', 1000 + g % 100 * 1000)
         from generate_series(1, $2::int) g`,
      [service.id, size],
    );
    await sql.query(
      `insert into topic_subscribers (service_id, topic, recipient_id)
       select $1, 'trader:42', 'f' || lpad(g::text, 8, '0') from generate_series(1, $2::int) g`,
      [service.id, size],
    );
    await sql.query('analyze');
    console.log(`[${size}] seeded ${size} followers in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await api.put('/v1/recipients/vip', { email: 'vip@example.com' });

    const env = {
      DATABASE_URL: database.url,
      HERALD_SMTP_URL: sink.url,
      HERALD_LOG_LEVEL: 'info',
      // A capped V8 heap: a worker whose memory grew with the audience would die here, not just swell.
      NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}`,
      HERALD_CONFIG: writeConfig(tempDir(), { worker: { leaseMs: 5000, sweepMs: 1000 } }),
    };
    workers.push(await startHeraldProcess('worker', env));
    t = performance.now();
    const res = await api.post('/v1/notifications', {
      type: 'trade_executed',
      topic: 'trader:42',
      channels: ['email'],
      data: { symbol: 'INFY', executedQty: 50, traderPortfolio: 100000 },
      content: {
        email: {
          subject: 'Trader 42 bought {{ symbol }}',
          text: 'Suggested quantity: {{ executedQty | times: recipient.portfolio | divided_by: traderPortfolio }}',
        },
      },
    });
    const id = res.body.id as string;
    const probes: string[] = [];
    let lastProbe = 0;
    let killedAt: number | null = null;
    let plannedAt: number | null = null;
    const peaks: number[] = [];
    // Resident memory each tenth of the way: flat means memory does not grow with the audience.
    const timeline: { planned: number; rssMb: number }[] = [];
    for (;;) {
      const current = workers.at(-1);
      peaks[workers.length - 1] = Math.max(peaks[workers.length - 1] ?? 0, rssMb(current?.child.pid));
      const p = await q<{ planned: number; status: string }>(
        'select planned_count::int as planned, plan_status as status from notifications where id = $1',
        [id],
      );
      if (p.planned >= ((timeline.length + 1) * size) / 10 && timeline.length < 10)
        timeline.push({ planned: p.planned, rssMb: rssMb(current?.child.pid, 'VmRSS') });
      if (performance.now() - lastProbe > 3000) {
        lastProbe = performance.now();
        const probe = await api.post('/v1/notifications', {
          type: 'password_reset',
          recipient: 'vip',
          channels: ['email'],
          content: { email: { subject: 'Your code', text: '123456' } },
        });
        probes.push(probe.body.id as string);
      }
      if (kill && killedAt === null && p.planned >= size * KILL_AT) {
        await current?.stop('SIGKILL');
        killedAt = p.planned;
        console.log(`[${size}] SIGKILL at ${p.planned} planned; starting a new worker`);
        workers.push(await startHeraldProcess('worker', env));
      }
      if (p.status === 'planned' && plannedAt === null) {
        plannedAt = performance.now();
        console.log(`[${size}] planned in ${((plannedAt - t) / 1000).toFixed(1)} s`);
      }
      // Keep draining (and probing) a little after planning ends.
      if (plannedAt !== null && performance.now() - plannedAt > 15_000) break;
      await sleep(200);
    }
    const planSeconds = ((plannedAt ?? 0) - t) / 1000;
    const counts = await q<{ rows: number; recipients: number; planned: number; total: number }>(
      `select count(*)::int as rows, count(distinct recipient_id)::int as recipients,
              (select planned_count::int from notifications where id = $1) as planned,
              (select total_count::int from notifications where id = $1) as total
         from deliveries where notification_id = $1`,
      [id],
    );
    const byStatus = await sql.query(
      'select status, count(*)::int as n from deliveries where notification_id = $1 group by status order by status',
      [id],
    );
    const lat = await sql.query<{ ms: number | null }>(
      `select (extract(epoch from d.sent_at - n.created_at) * 1000)::int as ms
         from notifications n join deliveries d on d.notification_id = n.id
        where n.id = any($1::uuid[]) order by n.created_at`,
      [probes],
    );
    const ms = lat.rows.map((r) => r.ms).filter((m): m is number => m !== null);
    const sorted = [...ms].sort((a, b) => a - b);
    const resumedLine = kill
      ? /"planned":(\d+)[^\n]*resuming broadcast/.exec(workers[1]?.output() ?? '')?.[0]
      : undefined;
    const report = {
      size,
      heapCapMb: HEAP_MB,
      planSeconds: Number(planSeconds.toFixed(1)),
      plannedPerSecond: Math.round(size / planSeconds),
      peakRssMb: peaks,
      rssTimeline: timeline,
      killedAtPlanned: killedAt,
      resumedFromPlanned: resumedLine ? Number(/"planned":(\d+)/.exec(resumedLine)?.[1]) : null,
      counts,
      exact: counts.rows === size && counts.recipients === size && counts.planned === size,
      deliveriesByStatus: Object.fromEntries(
        byStatus.rows.map((r: { status: string; n: number }) => [r.status, r.n]),
      ),
      smtpReceived: sink.received(),
      oneToOne: {
        sent: ms.length,
        of: probes.length,
        medianMs: sorted[Math.floor(sorted.length / 2)] ?? null,
        maxMs: sorted.at(-1) ?? null,
      },
    };
    console.log(JSON.stringify(report));
    return report;
  } finally {
    for (const w of workers) await w.stop('SIGKILL');
    await sql.end();
    await apiHerald.stop();
    await sink.close();
    await database.drop();
  }
}

const reports = [];
for (const [i, size] of SIZES.entries()) reports.push(await run(size, i === SIZES.length - 1));
console.log(JSON.stringify({ heavy: 'fanout', runs: reports }));
