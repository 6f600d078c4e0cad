/**
 * The fault-injection scenario, shared by the CI test (a few hundred notifications) and
 * `npm run fault` (a few thousand). Real processes on a throwaway PostgreSQL cluster:
 *
 *   load   N notifications through `herald api`, each with an idempotency key, retried on any
 *          error until accepted (as a careful client would);
 *   faults the webhook provider answers 500, then 429 with Retry-After, then never answers
 *          (timeouts); the worker is SIGKILLed while sends are in flight and restarted; PostgreSQL
 *          is stopped and started again under load;
 *   check  every accepted notification is stored, planned, and each delivery final; every sent
 *          delivery reached the provider (none lost); duplicates counted and compared with the
 *          lease-expired attempts, the one documented window for them (docs/guarantees.md).
 */
import pg from 'pg';
import { client, registerService, type Client } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig, type HeraldProcess } from '../helpers/herald-process.ts';
import { startPgCluster, type PgCluster } from '../helpers/pg-cluster.ts';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../fakes/webhook-receiver.ts';

export interface FaultReport {
  notifications: number;
  accepted: number;
  stored: number;
  deliveries: number;
  byStatus: Record<string, number>;
  notFinal: number;
  sent: number;
  receivedDistinct: number;
  lost: number;
  phantom: number;
  duplicates: { ids: number; extra: number };
  leaseExpiredAttempts: number;
  /**
   * Deliveries sent to the gone endpoint, and how many ended `failed` after exactly one answer from
   * it (a lease lost to the SIGKILL may add a `lease_expired` attempt, which is not an answer).
   */
  gone: number;
  goneFailedOnce: number;
  /** Rate-limited attempts (Retry-After: 1) whose next attempt came sooner than 1 s later. */
  retryAfterViolations: number;
  attemptsByOutcome: Record<string, number>;
  acceptRetries: number;
  badSignatures: number;
  seconds: number;
}

const ADMIN = 'fault-admin-token-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

/** Sends one notification until it is accepted; counts the retries its client needed. */
const seenErrors = new Map<string, number>();

async function sendUntilAccepted(api: Client, i: number, url: string, deadline: number) {
  let retries = 0;
  for (;;) {
    const res = await api
      .post(
        '/v1/notifications',
        {
          type: 'order_shipped',
          recipient: { id: `r${i % 200}` },
          channels: ['webhook'],
          // One in fifty goes to an endpoint that is gone: a permanent failure, never retried.
          content: { webhook: { url: i % 50 === 7 ? url.replace(/\/hook$/, '/gone') : url, payload: { i } } },
        },
        { 'idempotency-key': `fault-${i}` },
      )
      .catch((err: unknown) => ({
        status: 0,
        body: { error: { code: String((err as Error).cause ?? err) } },
      }));
    if (res.status === 202) return { id: res.body.id as string, retries };
    const what = `${res.status} ${res.body?.error?.code ?? ''}`;
    seenErrors.set(what, (seenErrors.get(what) ?? 0) + 1);
    if (Date.now() > deadline) return { id: null, retries };
    retries += 1;
    await sleep(200);
  }
}

export async function runFaultScenario(opts: {
  notifications: number;
  /** Accept rate of the load, per second; the faults fire on a fixed timeline during it. */
  ratePerSecond: number;
  /** How long to wait, after the load, for everything to become final. */
  settleTimeoutMs?: number;
  log?: (line: string) => void;
}): Promise<FaultReport> {
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  let cluster: PgCluster | undefined;
  let receiver: WebhookReceiver | undefined;
  let api: HeraldProcess | undefined;
  let worker: HeraldProcess | undefined;
  try {
    cluster = await startPgCluster();
    receiver = await startWebhookReceiver();
    const config = writeConfig(tempDir('herald-fault-'), {
      // The test's webhook receiver listens on loopback.
      allowPrivateWebhookUrls: true,
      providers: {
        webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET, timeoutMs: 1000 }],
      },
      breaker: { failureThreshold: 5, openMs: 1000 },
      retry: { default: { maxAttempts: 40, baseDelayMs: 100, maxDelayMs: 2000, maxAgeMs: 600_000 } },
      worker: { leaseMs: 5000, sweepMs: 1000, pollMs: 200, concurrency: 16, drainMs: 5000 },
      apiRateLimit: { perSecond: 100_000 },
    });
    const env = {
      DATABASE_URL: cluster.url,
      HERALD_CONFIG: config,
      HERALD_ADMIN_TOKEN: ADMIN,
      HERALD_LOG_LEVEL: 'warn',
    };
    // The API waits for readiness by its log line, so it logs at info.
    api = await startHeraldProcess('api', { ...env, HERALD_LOG_LEVEL: 'info' });
    worker = await startHeraldProcess('worker', { ...env, HERALD_LOG_LEVEL: 'info' });
    const service = await registerService(client(api.url, ADMIN));
    const http = client(api.url, service.apiKey);
    const hook = receiver.url;

    // The fault timeline, measured from the start of the load.
    const loadSeconds = opts.notifications / opts.ratePerSecond;
    const at = (fraction: number) => fraction * loadSeconds * 1000;
    const faults = (async () => {
      const t0 = Date.now();
      const until = (ms: number) => sleep(Math.max(0, t0 + ms - Date.now()));
      const r = receiver;
      await until(at(0.05));
      log('provider answers 500');
      r.mode = { kind: 'status', status: 500 };
      await until(at(0.15));
      log('provider answers 429, Retry-After: 1');
      r.mode = { kind: 'status', status: 429, retryAfter: '1' };
      await until(at(0.25));
      log('provider never answers (timeouts)');
      r.mode = { kind: 'hang' };
      await until(at(0.35));
      log('provider accepts, slowly: sends are in flight');
      r.mode = { kind: 'slow', delayMs: 400 };
      await until(at(0.45));
      // Kill it while the provider holds sends it has taken but not yet answered.
      for (let i = 0; i < 50 && r.pending() === 0; i++) await sleep(100);
      log(`SIGKILL the worker mid-batch, ${r.pending()} sends in flight`);
      await worker?.stop('SIGKILL');
      r.mode = { kind: 'accept' };
      await sleep(500);
      worker = await startHeraldProcess('worker', { ...env, HERALD_LOG_LEVEL: 'info' });
      log('worker restarted');
      await until(at(0.65));
      log('PostgreSQL stops');
      await cluster?.stop();
      await sleep(1500);
      await cluster?.start();
      log('PostgreSQL is back');
    })();

    const deadline = Date.now() + (opts.settleTimeoutMs ?? 120_000) + loadSeconds * 1000;
    const results: { id: string | null; retries: number }[] = [];
    const t0 = Date.now();
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < opts.notifications; i++) {
      await sleep(Math.max(0, t0 + (i * 1000) / opts.ratePerSecond - Date.now()));
      const p: Promise<void> = sendUntilAccepted(http, i, hook, deadline).then((r) => {
        results.push(r);
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    await faults;
    const accepted = results.filter((r) => r.id !== null).length;
    log(
      `load done: ${accepted}/${opts.notifications} accepted; refusals seen: ${JSON.stringify([...seenErrors])}`,
    );

    // Wait until nothing is left to do: every notification planned and every delivery final.
    const url = cluster.url;
    for (;;) {
      const [row] = await query<{ open: string }>(
        url,
        `select (select count(*) from notifications where plan_status not in ('planned', 'failed'))
              + (select count(*) from deliveries where status in ('pending', 'queued', 'sending', 'deferred')) as open`,
      ).catch(() => [{ open: 'unknown' }]);
      if (row?.open === '0') break;
      if (Date.now() > deadline) {
        log(`gave up waiting; still open: ${row?.open}`);
        log(`worker output (tail):\n${worker?.output().slice(-6000) ?? ''}`);
        break;
      }
      await sleep(500);
    }

    const stored = await query<{ n: string }>(url, 'select count(*) as n from notifications');
    const statuses = await query<{ status: string; n: string }>(
      url,
      'select status, count(*) as n from deliveries group by status',
    );
    const outcomes = await query<{ outcome: string; n: string }>(
      url,
      'select outcome, count(*) as n from delivery_attempts group by outcome',
    );
    const sentIds = (await query<{ id: string }>(url, `select id from deliveries where status = 'sent'`)).map(
      (r) => r.id,
    );
    const allIds = new Set((await query<{ id: string }>(url, 'select id from deliveries')).map((r) => r.id));
    const gone = await query<{ n: string; once: string }>(
      url,
      `select count(*) as n,
              count(*) filter (where d.status = 'failed' and d.reason = 'webhook_410'
                                 and (select count(*) from delivery_attempts a
                                      where a.delivery_id = d.id and a.outcome <> 'lease_expired') = 1) as once
         from deliveries d where d.address like '%/gone'`,
    );
    const early = await query<{ n: string }>(
      url,
      `select count(*) as n from delivery_attempts a
         join lateral (select min(b.started_at) as next from delivery_attempts b
                        where b.delivery_id = a.delivery_id and b.id > a.id and b.outcome <> 'lease_expired') n on true
        where a.outcome = 'rate_limited' and n.next is not null
          and n.next < a.started_at + (a.duration_ms + 1000) * interval '1 millisecond'`,
    );
    const byStatus = Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)]));
    const attemptsByOutcome = Object.fromEntries(outcomes.map((o) => [o.outcome, Number(o.n)]));
    const final = new Set([
      'sent',
      'delivered',
      'opened',
      'clicked',
      'bounced',
      'suppressed',
      'failed',
      'dead',
    ]);
    return {
      notifications: opts.notifications,
      accepted,
      stored: Number(stored[0]?.n),
      deliveries: allIds.size,
      byStatus,
      notFinal: statuses.filter((s) => !final.has(s.status)).reduce((n, s) => n + Number(s.n), 0),
      sent: sentIds.length,
      receivedDistinct: receiver.received.size,
      lost: sentIds.filter((id) => !receiver?.received.has(id)).length,
      phantom: [...receiver.received].filter((id) => !allIds.has(id)).length,
      duplicates: receiver.duplicates(),
      leaseExpiredAttempts: attemptsByOutcome.lease_expired ?? 0,
      gone: Number(gone[0]?.n),
      goneFailedOnce: Number(gone[0]?.once),
      retryAfterViolations: Number(early[0]?.n),
      attemptsByOutcome,
      acceptRetries: results.reduce((n, r) => n + r.retries, 0),
      badSignatures: receiver.badSignatures,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await worker?.stop().catch(() => undefined);
    await api?.stop().catch(() => undefined);
    await receiver?.close().catch(() => undefined);
    await cluster?.destroy().catch(() => undefined);
  }
}
