/**
 * Digest benchmark: BENCH_EVENTS events (default 100,000) into BENCH_DIGESTS digests (default 1,000:
 * one per recipient, one key), then the time to close every window and send the 1,000 digest emails,
 * against the plain send path for 1,000 emails (one notification each, no steps) in the same run,
 * on the same Herald and the same SMTP sink. Herald runs in this process with a fake clock, so the
 * windows end when the clock is moved, not after an hour. On a fresh PostgreSQL database when one is
 * reachable (BENCH_DATABASE_URL or the test server), else PGlite in memory. Ends with one JSON line;
 * `closeMs` is the part of `closeAndSendMs` until every window had closed (every message made).
 */
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { startHerald } from '../src/main.ts';
import { client, registerService, type Client } from '../test/helpers/api.ts';
import { fakeClock } from '../test/helpers/fake-clock.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../test/helpers/pg.ts';
import { startSmtp } from '../test/helpers/smtp.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const DIGESTS = Number(process.env.BENCH_DIGESTS ?? 1000);
const ADMIN = 'bench-admin-token-0123456789';
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sendAll(api: Client, items: Record<string, unknown>[]): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 1000) batches.push(items.slice(i, i + 1000));
  // Two requests in flight: enough to keep the accept path busy without measuring the client.
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < batches.length) {
        const batch = batches[next++] as Record<string, unknown>[];
        const res = await api.post('/v1/notifications/batch', { notifications: batch });
        if (res.status !== 200) throw new Error(`batch: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }),
  );
}

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = Number(process.env.BENCH_TIMEOUT_MS ?? 1_800_000),
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const database: TestDatabase | null = process.env.BENCH_DATABASE_URL
  ? { url: process.env.BENCH_DATABASE_URL, name: '', drop: async () => undefined }
  : skipWithoutPg
    ? null
    : await freshDatabase();
const smtp = await startSmtp();
const clock = fakeClock(new Date('2026-06-01T08:00:00Z'));
const config = loadConfig(
  {
    HERALD_DATA_DIR: 'memory://',
    HERALD_PORT: '0',
    HERALD_ADMIN_TOKEN: ADMIN,
    HERALD_SMTP_URL: smtp.url,
    ...(database ? { DATABASE_URL: database.url } : {}),
    HERALD_CONFIG: 'inline',
  },
  () => ({ worker: { pollMs: 50, sweepMs: 200 }, apiRateLimit: { perSecond: 100_000 } }),
);
const herald = await startHerald(config, { api: true, worker: true }, pino({ level: 'silent' }), { clock });
try {
  const admin = client(herald.url ?? '', ADMIN);
  const api = client(herald.url ?? '', (await registerService(admin, 'Bench', ['comment', 'plain'])).apiKey);
  await api.put('/v1/notification-types/comment', {
    defaultChannels: ['email'],
    steps: [{ type: 'digest', window: '1h', key: '{{ thread }}' }],
  });
  await api.put('/v1/notification-types/plain', { defaultChannels: ['email'] });
  for (const key of ['comment', 'plain'])
    await api.put(`/v1/notification-types/${key}/templates/email/default`, {
      subject: '{{ thread }}: {% if digest %}{{ digest.count }} comments{% else %}one comment{% endif %}',
      text: '{% if digest %}{% for c in digest.items %}{{ c.n }} {% endfor %}{% else %}{{ n }}{% endif %}',
    });
  const recipient = (i: number) => ({ id: `r${i}`, email: `r${i}@bench.test` });

  // The ceiling: the plain send path for the same number of emails.
  log(`plain: ${DIGESTS} notifications, no steps`);
  let started = performance.now();
  await sendAll(
    api,
    Array.from({ length: DIGESTS }, (_, i) => ({
      type: 'plain',
      recipient: recipient(i),
      data: { thread: `t${i}`, n: i },
    })),
  );
  await until('plain mail', () => smtp.messages.length >= DIGESTS);
  const plainMs = performance.now() - started;
  smtp.messages.length = 0;

  log(`digest: ${EVENTS} events into ${DIGESTS} digests`);
  started = performance.now();
  await sendAll(
    api,
    Array.from({ length: EVENTS }, (_, i) => ({
      type: 'comment',
      recipient: recipient(i % DIGESTS),
      data: { thread: `t${i % DIGESTS}`, n: i },
    })),
  );
  // What the planner has yet to claim or finish: the claim's own partial index answers it.
  await until('every event digested', async () => {
    await sleep(500);
    const counted = await herald.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('plan_status', 'in', ['pending', 'planning'])
      .executeTakeFirstOrThrow();
    return Number(counted.n) === 0;
  });
  const gatherMs = performance.now() - started;
  log(`gathered in ${(gatherMs / 1000).toFixed(1)} s; closing the windows`);
  started = performance.now();
  clock.advance(3_600_000);
  // When every window has closed (each digest's message made), then when every mail has gone.
  let closeMs: number | null = null;
  const closing = (async () => {
    await until('every digest closed', async () => {
      const open = await sql<{ n: number }>`
        select count(*)::int as n from digests where status = 'open'`.execute(herald.db);
      return open.rows[0]?.n === 0;
    });
    closeMs = performance.now() - started;
  })().catch(() => undefined);
  await until('digest mail', () => smtp.messages.length >= DIGESTS).catch(async (err: unknown) => {
    // Say why some digest never became a mail before giving up.
    const why = await sql<{ plan_error: string | null; reason: string | null; n: number }>`
      select n.plan_error, d.reason, count(*)::int as n from notifications n
        left join deliveries d on d.notification_id = n.id
       where n.idempotency_key like 'digest:%' and (n.plan_status = 'failed' or d.status <> 'sent')
       group by 1, 2`.execute(herald.db);
    log(JSON.stringify({ sent: smtp.messages.length, unsent: why.rows }));
    throw err;
  });
  const closeAndSendMs = performance.now() - started;
  await closing;
  await sleep(1000);
  const sent = smtp.messages.length;
  const counts = smtp.messages.map((m) => Number(/: (\d+) comments/.exec(m.subject ?? '')?.[1] ?? 0));
  const result = {
    bench: 'digest',
    database: database ? 'postgres' : 'pglite',
    events: EVENTS,
    digests: DIGESTS,
    digestEmails: sent,
    eventsPerDigestEmail: { min: Math.min(...counts), max: Math.max(...counts) },
    gatherMs: Math.round(gatherMs),
    gatherEventsPerSecond: Math.round(EVENTS / (gatherMs / 1000)),
    plainEmailsPerSecond: Math.round(DIGESTS / (plainMs / 1000)),
    closeMs: closeMs === null ? null : Math.round(closeMs),
    closeAndSendMs: Math.round(closeAndSendMs),
    plainSendMs: Math.round(plainMs),
    ratio: Number((closeAndSendMs / plainMs).toFixed(2)),
    loadavg1: Number(loadavg()[0]?.toFixed(2)),
    note: 'machine shared with other work; compare the ratio, not absolute times',
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await herald.stop();
  await smtp.close();
  await database?.drop();
}
