/**
 * The chaos soak (`npm run chaos`, not part of CI). Server mode on a private PostgreSQL and Redis,
 * two API and two worker processes, steady load mixing one-recipient sends, recipient lists and
 * topic broadcasts over webhook, email and in-app, with providers that refuse a share of requests.
 * Meanwhile: every 5–15 s a random Herald process is SIGKILLed and started again; PostgreSQL is
 * restarted once and Redis stopped for a while once. Then it waits for every delivery to be final
 * and reports what chaos-report.ts computes: accepted vs delivered, duplicates against lease_expired
 * attempts, kill-to-recovery times, API answers by status during each outage, and latency.
 */
import { client, registerService } from '../helpers/api.ts';
import { ADMIN, query, startChaosCluster, type ChaosCluster, type Member } from './chaos-cluster.ts';
import { buildReport, type Answer, type ChaosReport, type KillRecord, type Window } from './chaos-report.ts';

export interface ChaosOptions {
  durationMs: number;
  /** Notifications accepted per second (each a single, a list of 5 or a topic broadcast). */
  ratePerSecond: number;
  killEveryMs: [number, number];
  redisOutageMs: number;
  pgOutageMs: number;
  failRate: number;
  /** Providers answer after a random pause of up to this, so sends are in flight when a worker dies. */
  providerDelayMs: number;
  settleTimeoutMs: number;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RECIPIENTS = 60;
const TOPIC_SIZE = 20;

type Kind = 'single' | 'list' | 'topic';

function body(kind: Kind, i: number, hook: string): Record<string, unknown> {
  const webhook = { url: hook, payload: { i } };
  const email = { subject: `Chaos ${i}`, text: 'A message from the chaos run.' };
  const inApp = { title: `Chaos ${i}`, body: 'b' };
  if (kind === 'list') {
    const ids = Array.from({ length: 5 }, (_, k) => `r${(i + k * 7) % RECIPIENTS}`);
    return { type: 'chaos', recipients: ids, channels: ['webhook'], content: { webhook } };
  }
  if (kind === 'topic') return { type: 'chaos', topic: 'chaos', channels: ['webhook'], content: { webhook } };
  const channels = [['webhook'], ['email'], ['in_app'], ['email', 'in_app']][i % 4] as string[];
  return {
    type: 'chaos',
    recipient: `r${i % RECIPIENTS}`,
    channels,
    content: { webhook, email, in_app: inApp },
  };
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const { log } = opts;
  const t0 = Date.now();
  let cluster: ChaosCluster | undefined;
  try {
    cluster = await startChaosCluster({ failRate: opts.failRate, delayMs: opts.providerDelayMs });
    const c = cluster;
    log(`cluster up in ${Date.now() - t0} ms: ${c.apiUrls().join(', ')}`);
    const admin = client(c.apiUrls()[0] ?? '', ADMIN);
    const { apiKey } = await registerService(admin, 'Chaos', ['chaos']);
    const setup = client(c.apiUrls()[0] ?? '', apiKey);
    for (let r = 0; r < RECIPIENTS; r++)
      await setup.put(`/v1/recipients/r${r}`, { email: `r${r}@example.test` });
    const subs = Array.from({ length: TOPIC_SIZE }, (_, r) => `r${r}`);
    await setup.put('/v1/topics/chaos/subscribers', { recipients: subs });

    const answers: Answer[] = [];
    const accepted = new Map<string, { id: string; at: number; kind: Kind }>();
    const windows: Window[] = [];
    const kills: KillRecord[] = [];
    let stopLoad = false;
    let pauseKills = false;

    /** A careful client: same idempotency key until accepted, the other API when one is down. */
    const send = async (i: number, kind: Kind, deadline: number) => {
      const key = `chaos-${i}`;
      for (let attempt = 0; Date.now() < deadline; attempt++) {
        const urls = c.apiUrls();
        const url = urls[(i + attempt) % urls.length] ?? '';
        const at = Date.now();
        let status = 0;
        let retryAfter = 0;
        try {
          const res = await fetch(`${url}/v1/notifications`, {
            method: 'POST',
            signal: AbortSignal.timeout(15_000),
            headers: {
              authorization: `Bearer ${apiKey}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify(body(kind, i, c.receiver.url)),
          });
          status = res.status;
          retryAfter = Number(res.headers.get('retry-after') ?? 0);
          const json = (await res.json().catch(() => ({}))) as { id?: string };
          if (status === 202 && json.id) {
            answers.push({ at, status });
            accepted.set(key, { id: json.id, at: Date.now(), kind });
            return;
          }
        } catch (err) {
          status = (err as Error).name === 'TimeoutError' ? -1 : 0;
        }
        answers.push({ at, status });
        if (status >= 400 && status < 500 && status !== 429) {
          log(`request ${key} refused with ${status}: not retried`);
          return;
        }
        await sleep(retryAfter > 0 ? Math.min(retryAfter * 1000, 2000) : 200);
      }
    };

    const load = (async () => {
      const inFlight = new Set<Promise<void>>();
      const start = Date.now();
      for (let i = 0; !stopLoad; i++) {
        await sleep(Math.max(0, start + (i * 1000) / opts.ratePerSecond - Date.now()));
        const roll = i % 20;
        const kind: Kind = roll < 15 ? 'single' : roll < 18 ? 'list' : 'topic';
        const p: Promise<void> = send(i, kind, Date.now() + 120_000).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.all(inFlight);
    })();

    /** Polls until the dead owner holds nothing: its deliveries and plans went back. */
    const heldBy = async (owner: string) => {
      const [row] = await query<{ n: number }>(
        c.pg.url,
        `select (select count(*) from deliveries where status = 'sending' and lease_owner = $1)
              + (select count(*) from notifications where plan_status = 'planning' and lease_owner = $1) as n`,
        [owner],
      );
      return Number(row?.n ?? 0);
    };
    const watchRecovery = async (k: KillRecord, owner: string) => {
      for (;;) {
        const held = await heldBy(owner).catch(() => -1);
        if (held === 0) {
          k.recoveredMs = Date.now() - k.at;
          return;
        }
        if (Date.now() - k.at > 180_000) return;
        await sleep(200);
      }
    };

    const recoveries: Promise<void>[] = [];
    const killer = (async () => {
      const [min, max] = opts.killEveryMs;
      while (!stopLoad) {
        await sleep(min + Math.random() * (max - min));
        if (stopLoad || pauseKills) continue;
        const m = c.members[Math.floor(Math.random() * c.members.length)] as Member;
        const owner = m.owner;
        const k: KillRecord = {
          member: m.name,
          at: Date.now(),
          held: 0,
          restartMs: undefined,
          recoveredMs: undefined,
        };
        kills.push(k);
        await m.proc?.stop('SIGKILL');
        if (m.role === 'worker' && owner) {
          k.held = await heldBy(owner).catch(() => -1);
          recoveries.push(watchRecovery(k, owner));
        }
        await c.start(m);
        k.restartMs = Date.now() - k.at;
        if (m.role === 'api')
          windows.push({ name: `SIGKILL ${m.name}`, kind: 'kill', start: k.at, end: Date.now() });
        log(
          `SIGKILL ${m.name}: back in ${k.restartMs} ms${m.role === 'worker' ? `, it held ${k.held} leases` : ''}`,
        );
      }
    })();

    const faults = (async () => {
      await sleep(opts.durationMs * 0.4);
      pauseKills = true;
      const pgWindow: Window = { name: 'postgres restart', kind: 'outage', start: Date.now(), end: 0 };
      windows.push(pgWindow);
      log('PostgreSQL stops');
      await c.pg.stop();
      await sleep(opts.pgOutageMs);
      await c.pg.start();
      // Over when either API is ready again (one of them may be restarting from a kill).
      for (;;) {
        const ready = await Promise.all(
          c.apiUrls().map((u) =>
            fetch(`${u}/readyz`, { signal: AbortSignal.timeout(2000) })
              .then((r) => r.status === 200)
              .catch(() => false),
          ),
        );
        if (ready.includes(true)) break;
        await sleep(100);
      }
      pgWindow.end = Date.now();
      log(`PostgreSQL back; API ready after ${pgWindow.end - pgWindow.start} ms`);
      pauseKills = false;
      await sleep(Math.max(0, t0 + opts.durationMs * 0.7 - Date.now()));
      const redisWindow: Window = { name: 'redis down', kind: 'outage', start: Date.now(), end: 0 };
      windows.push(redisWindow);
      log('Redis stops');
      await c.redis.stop();
      await sleep(opts.redisOutageMs);
      await c.redis.start();
      redisWindow.end = Date.now();
      log('Redis back');
    })();

    await sleep(opts.durationMs);
    stopLoad = true;
    await faults;
    await killer;
    await load;
    log(`load done: ${accepted.size} notifications accepted; waiting for every delivery to be final`);
    const settleDeadline = Date.now() + opts.settleTimeoutMs;
    for (;;) {
      const [row] = await query<{ open: string }>(
        c.pg.url,
        `select (select count(*) from notifications where plan_status not in ('planned', 'failed'))
              + (select count(*) from deliveries where status in ('pending', 'queued', 'sending', 'deferred')) as open`,
      ).catch(() => [{ open: 'unknown' }]);
      if (row?.open === '0') break;
      if (Date.now() > settleDeadline) {
        log(`gave up waiting; still open: ${row?.open}`);
        break;
      }
      await sleep(1000);
    }
    await Promise.all(recoveries);
    return await buildReport({
      url: c.pg.url,
      accepted,
      answers,
      windows,
      kills,
      receiver: c.receiver,
      smtp: c.smtp,
      startedAt: t0,
      options: opts,
    });
  } finally {
    await cluster?.close();
  }
}
