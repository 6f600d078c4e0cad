/**
 * Broker sources: events/s from each broker into accepted notifications, against the broker's own
 * publish → consume rate with a no-op consumer (the broker's client library only: receive and ack,
 * nothing else, no Herald code), measured in the same run on the same machine. For each broker: N
 * messages are published to a fresh queue/stream/subject while the consumer runs, both timed from
 * the first publish; the ceiling to the last ack, Herald to the last event stored (acked) and to the
 * last event processed into its notification (the seed-000 rule, an in-app notification to one
 * follower). Herald's source is connected before the clock starts, as the no-op consumer is. The
 * ceiling runs before and after Herald and the faster counts. The publisher runs in a process of
 * its own (bench/events/publisher.ts), so this process's CPU figure is the no-op consumer's or
 * Herald's alone, and neither shares its event loop with the publisher. Ends with one JSON line;
 * goal: Herald ≥ 0.5 × the ceiling for each broker.
 *
 * Beside the brokers, a raw SQL ceiling with no Herald code (`rawInsertPerSecond`): the same number
 * of event rows, and one notification row per event, written as Herald's sources write them (batches
 * of the source's batch size, two connections, one statement per batch committed on its own, durable)
 * by plain `INSERT … SELECT FROM unnest(...)` into look-alike tables: `CREATE TABLE … (LIKE events
 * INCLUDING ALL)` and the same for notifications, so the same columns, defaults, checks and indexes
 * (unique and partial ones too), without foreign keys or triggers. Per broker, `ceilingVsRawInsert`
 * says whether half the broker's no-op rate is within reach of durable PostgreSQL writes at all on
 * this machine, and how much of that write rate Herald's sources reach.
 *
 *   BENCH_EVENTS_N=20000 npm run bench -- events
 *   BENCH_EVENTS_BROKERS=redis BENCH_EVENTS_BATCH=500 npm run bench -- events
 *   BENCH_EVENTS_STORE_ONLY=1 ... : no worker, only the sources' storing is timed (processed = stored)
 *   BENCH_EVENTS_ON_ARRIVAL=0 ... : the sources store events `pending` and the events lane expands them
 *                                   (by default they expand as they store, as Herald's worker does)
 *   BENCH_EVENTS_EXPLAIN=1 ...    : auto_explain (analyze, buffers, triggers) of every statement on the
 *                                   bench's database, in the PostgreSQL server log
 *   BENCH_EVENTS_CPU_PROF=dir ... : a CPU profile of this process while each broker's events go through
 *                                   Herald, as dir/herald-<broker>.cpuprofile
 */
import { fork } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as inspector from 'node:inspector/promises';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import * as amqp from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createEventSource } from '../src/adapters/sources/index.ts';
import { kyselyDeadEvents } from '../src/adapters/store/kysely-dead-events.ts';
import { kyselyEventStore } from '../src/adapters/store/kysely-events.ts';
import { createPromMetrics } from '../src/adapters/metrics/prom-metrics.ts';
import { startEventSources } from '../src/app/event-sources.ts';
import { expandOnArrival } from '../src/app/events.ts';
import { createMetadataCache } from '../src/app/metadata-cache.ts';
import { kyselyNotificationTypeStore } from '../src/adapters/store/kysely-notification-types.ts';
import { kyselyTriggerRules } from '../src/adapters/store/kysely-trigger-rules.ts';
import { createTemplateRenderer } from '../src/domain/templates.ts';
import { loadConfig } from '../src/config.ts';
import type { SourceConfig } from '../src/config-sources.ts';
import { client, registerService } from '../test/helpers/api.ts';
import { NATS_URL, RABBIT_URL, REDIS_URL, uniqueName, type Broker } from '../test/helpers/brokers.ts';
import type { PublisherReply, PublisherRequest } from './events/publisher.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../test/helpers/in-process.ts';
import { freshDatabase } from '../test/helpers/pg.ts';

const N = Number(process.env.BENCH_EVENTS_N ?? 5000);
const BATCH = Number(process.env.BENCH_EVENTS_BATCH ?? 200);
const BROKERS = (process.env.BENCH_EVENTS_BROKERS ?? 'rabbitmq,nats,redis').split(',') as Broker[];

const database = await freshDatabase();
if (process.env.BENCH_EVENTS_EXPLAIN === '1') {
  // Every statement on the bench's database, with its plan, timings and buffers, goes to the server log.
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  const settings = { session_preload_libraries: 'auto_explain', 'auto_explain.log_min_duration': '0' };
  for (const [k, v] of Object.entries(settings))
    await admin.query(`alter database ${database.name} set ${k} = '${v}'`);
  for (const k of ['log_analyze', 'log_buffers', 'log_triggers', 'log_verbose'])
    await admin.query(`alter database ${database.name} set auto_explain.${k} = on`);
  await admin.end();
  process.stderr.write(`auto_explain on database ${database.name}\n`);
}
// Store only: Herald without its worker, so nothing expands, plans or delivers what is stored.
const STORE_ONLY = process.env.BENCH_EVENTS_STORE_ONLY === '1';
const ON_ARRIVAL = process.env.BENCH_EVENTS_ON_ARRIVAL !== '0';
const herald = await startInProcess({ databaseUrl: database.url, worker: !STORE_ONLY });
// The sources are wired here as Herald's worker wires them (worker-wiring.ts): rules and types through
// a metadata cache, expanded as they arrive.
const cache = createMetadataCache({ announce: async () => undefined });
const expand = ON_ARRIVAL
  ? expandOnArrival({
      rules: cache.rules(kyselyTriggerRules(herald.db)),
      types: cache.types(kyselyNotificationTypeStore(herald.db)),
      renderer: createTemplateRenderer(),
    })
  : undefined;
const service = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Bench', [
  'trade_executed',
]);
const api = client(herald.url ?? '', service.apiKey);
await api.put('/v1/recipients/f1', { email: 'f1@example.com' });
await api.put('/v1/topics/trader:42/subscribers', { recipients: ['f1'] });
await api.put('/v1/triggers/trade.executed', {
  notifications: [{ type: 'trade_executed', to: { topic: 'trader:{{ traderId }}' }, channels: ['in_app'] }],
});
const sql = new pg.Client({ connectionString: database.url });
await sql.connect();

function target(broker: Broker): { config: SourceConfig } {
  const name = uniqueName(`bench${broker}`);
  const common = {
    name,
    service: service.id,
    eventName: { header: 'event' },
    eventId: { field: '/id' },
    payload: '/data',
    batch: BATCH,
  };
  const load = (raw: Record<string, unknown>) =>
    loadConfig({ HERALD_CONFIG: 'x' }, () => ({ sources: [{ ...raw, ...common }] })).sources[0]!;
  if (broker === 'rabbitmq') return { config: load({ broker, url: RABBIT_URL, queue: name }) };
  if (broker === 'nats')
    return {
      config: load({ broker, servers: NATS_URL, stream: name, subjects: [`${name}.t`], durable: 'herald' }),
    };
  return { config: load({ broker, url: REDIS_URL, stream: name, group: 'herald' }) };
}

/**
 * The publisher runs in a process of its own (bench/events/publisher.ts), so this process's CPU
 * figure and event loop are the consumer's alone: the no-op consumer's in the ceiling, Herald's
 * source in Herald's run. Its own CPU per message is reported beside them.
 */
const publisherProcess = fork(new URL('./events/publisher.ts', import.meta.url), { stdio: 'inherit' });
publisherProcess.on('exit', (code) => {
  if (code) throw new Error(`the bench's publisher exited with ${code}`);
});
const toPublisher = <K extends PublisherReply['op']>(request: PublisherRequest, expect: K) =>
  new Promise<Extract<PublisherReply, { op: K }>>((resolve) => {
    const onReply = (m: PublisherReply) => {
      if (m.op !== expect) return;
      publisherProcess.off('message', onReply);
      resolve(m as Extract<PublisherReply, { op: K }>);
    };
    publisherProcess.on('message', onReply);
    publisherProcess.send(request);
  });
/** Connects the publisher to a queue/subject/stream and builds its N messages, before any clock starts. */
const openPublisher = (broker: Broker, name: string) =>
  toPublisher({ op: 'open', broker, name, subject: `${name}.t`, n: N }, 'opened');
const publishAll = async () => (await toPublisher({ op: 'publish' }, 'published')).cpuUs;
const closePublisher = () => toPublisher({ op: 'close' }, 'closed');

/** CPU time of this process (publisher, consumer or Herald), µs. */
const processCpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/**
 * CPU time of the PostgreSQL backends serving the bench's database, µs, from /proc (a backend that
 * ends in between takes its time with it; Herald's pool keeps its connections). Null off Linux.
 */
async function pgCpu(): Promise<number | null> {
  const { rows } = await sql.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database()',
  );
  let ns = 0;
  try {
    // The first field: time on the CPU, in ns (utime and stime in /proc/<pid>/stat count 10 ms ticks).
    for (const { pid } of rows) ns += Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
  return ns / 1000;
}

/** The broker servers' process names on this machine. */
const SERVER_COMM: Record<Broker, string> = {
  rabbitmq: 'beam.smp',
  nats: 'nats-server',
  redis: 'redis-server',
};

/**
 * CPU time of the broker's server processes (every thread; every process of that name, so a
 * private server a test left running counts too), µs. Null off Linux or when none is found (a
 * broker in a container, say).
 */
function brokerCpu(broker: Broker): number | null {
  let ns = 0;
  let found = false;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let comm: string;
      try {
        comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        continue;
      }
      if (comm !== SERVER_COMM[broker]) continue;
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        try {
          ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
          found = true;
        } catch {
          // The thread ended meanwhile.
        }
      }
    }
  } catch {
    return null;
  }
  return found ? ns / 1000 : null;
}

const perMessage = (a: number | null, b: number | null) => (a === null || b === null ? null : (b - a) / N);

/** A broker's own consumer that only acks, on its client library: no Herald code. */
interface NoOpConsumer {
  /** Resolves once `n` messages were received and acked. */
  consumed(n: number): Promise<void>;
  close(): Promise<void>;
}

/** amqplib: manual acks, the prefetch Herald's source uses, one ack per message. */
async function rabbitNoOp(queue: string): Promise<NoOpConsumer> {
  const conn = await amqp.connect(RABBIT_URL);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: true });
  await ch.prefetch(BATCH * 3);
  let count = 0;
  let wanted = Infinity;
  let done: () => void = () => undefined;
  await ch.consume(
    queue,
    (m) => {
      if (!m) return;
      ch.ack(m);
      if (++count >= wanted) done();
    },
    { noAck: false },
  );
  return {
    consumed: (n) =>
      new Promise<void>((resolve) => {
        wanted = n;
        done = resolve;
        if (count >= n) resolve();
      }),
    async close() {
      await conn.close();
    },
  };
}

/** @nats-io/jetstream: a durable pull consumer with explicit acks, read with `consume`. */
async function natsNoOp(stream: string, subject: string): Promise<NoOpConsumer> {
  const nc = await natsConnect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.info(stream).catch(() => jsm.streams.add({ name: stream, subjects: [subject] }));
  await jsm.consumers.add(stream, {
    durable_name: 'noop',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: subject,
  });
  const consumer = await jetstream(nc).consumers.get(stream, 'noop');
  const messages = await consumer.consume({ max_messages: BATCH });
  return {
    async consumed(n) {
      let count = 0;
      for await (const m of messages) {
        m.ack();
        if (++count >= n) break;
      }
      await nc.flush();
    },
    async close() {
      await messages.close();
      await nc.close();
    },
  };
}

/** ioredis: XREADGROUP of a batch, then one XACK for it. */
async function redisNoOp(stream: string): Promise<NoOpConsumer> {
  const redis = new Redis(REDIS_URL);
  await redis.xgroup('CREATE', stream, 'noop', '0', 'MKSTREAM');
  return {
    async consumed(n) {
      for (let count = 0; count < n;) {
        const res = (await redis.xreadgroup(
          'GROUP',
          'noop',
          'c',
          'COUNT',
          BATCH,
          'BLOCK',
          1000,
          'STREAMS',
          stream,
          '>',
        )) as [string, [string, string[]][]][] | null;
        const ids = (res?.[0]?.[1] ?? []).map(([id]) => id);
        if (ids.length) await redis.xack(stream, 'noop', ...ids);
        count += ids.length;
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}

/** Publish → consume with the broker's own no-op consumer, from the first publish to the last ack. */
async function ceiling(
  broker: Broker,
): Promise<{ rate: number; cpuUs: number; publisherCpuUs: number; brokerCpuUs: number | null }> {
  const name = uniqueName(`bench${broker}`);
  const subject = `${name}.t`;
  const consumer =
    broker === 'rabbitmq'
      ? await rabbitNoOp(name)
      : broker === 'nats'
        ? await natsNoOp(name, subject)
        : await redisNoOp(name);
  await openPublisher(broker, name);
  const started = performance.now();
  const cpu0 = processCpu();
  const broker0 = brokerCpu(broker);
  const consumed = consumer.consumed(N);
  const publisherCpuUs = await publishAll();
  await consumed;
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = (processCpu() - cpu0) / N;
  const brokerCpuUs = perMessage(broker0, brokerCpu(broker));
  await consumer.close();
  await closePublisher();
  return { rate: N / seconds, cpuUs, publisherCpuUs, brokerCpuUs };
}

/** Publish → events durable (acked), and → expanded with their notifications written. */
async function throughHerald(broker: Broker): Promise<{
  stored: number;
  processed: number;
  cpuUs: number;
  pgCpuUs: number | null;
  publisherCpuUs: number;
  brokerCpuUs: number | null;
}> {
  const t = target(broker);
  await openPublisher(broker, t.config.name);
  // Stored is counted from the source's own acks (each after its batch committed), so finding it
  // reads nothing from PostgreSQL: a count over the events table every 50 ms cost PostgreSQL about as
  // much CPU as a fifth of storing them, and was charged to Herald.
  const metrics = createPromMetrics({ defaults: false });
  let acked = 0;
  let allAcked: () => void = () => undefined;
  const stored = new Promise<void>((resolve) => (allAcked = resolve));
  const sources = await startEventSources({
    sources: [t.config],
    makeSource: createEventSource,
    events: kyselyEventStore(herald.db),
    dead: kyselyDeadEvents(herald.db),
    metrics: {
      sourceMessages(source, outcome, count) {
        metrics.sourceMessages(source, outcome, count);
        if ((acked += count) >= N) allAcked();
      },
      sourceError: (source, kind) => metrics.sourceError(source, kind),
      sourceLag: (source, read) => metrics.sourceLag(source, read),
    },
    log: { info() {}, warn() {}, error() {} },
    ...(expand ? { expand } : {}),
    serviceExists: async () => true,
  });
  await sources.ready;
  const started = performance.now();
  const cpu0 = processCpu();
  const pg0 = await pgCpu();
  const broker0 = brokerCpu(broker);
  const publisherCpuUs = await publishAll();
  await stored;
  const storedAt = performance.now();
  // Processed: events expanded as they were stored are done already (one count); the others are
  // waited for as the events lane finishes them.
  for (let polls = 0; !STORE_ONLY; polls++) {
    const { rows } = await sql.query<{ n: number }>(
      `select count(*)::int as n from events where source = $1 and status = 'processed'`,
      [t.config.name],
    );
    if ((rows[0]?.n ?? 0) >= N) break;
    if (polls % 200 === 199) process.stderr.write(`${broker}: ${rows[0]?.n ?? 0} of ${N} processed\n`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = (processCpu() - cpu0) / N;
  const pg1 = await pgCpu();
  const brokerCpuUs = perMessage(broker0, brokerCpu(broker));
  await sources.stop();
  await closePublisher();
  return {
    stored: N / ((storedAt - started) / 1000),
    processed: N / seconds,
    cpuUs,
    pgCpuUs: pg0 === null || pg1 === null ? null : (pg1 - pg0) / N,
    publisherCpuUs,
    brokerCpuUs,
  };
}

/**
 * The raw SQL ceiling: N events and N notifications, in batches of BATCH over two connections, each
 * batch one `insert … select from unnest(…)` statement (the events, and the notifications of the
 * events it inserted) committed on its own. Plain SQL on `pg`, no Herald code; the tables are
 * look-alikes of Herald's (columns, defaults, checks, indexes; no foreign keys, no triggers).
 */
await sql.query(`
  create table raw_events (like events including all);
  create table raw_notifications (like notifications including all)`);
let rawRuns = 0;
async function rawInsert(): Promise<{ rate: number; pgCpuUs: number | null }> {
  const prefix = `raw${rawRuns++}`;
  const serviceId = randomUUID();
  const batches: unknown[][] = [];
  for (let from = 0; from < N; from += BATCH) {
    const ids: string[] = [];
    const payloads: string[] = [];
    const hashes: string[] = [];
    const outcomes: string[] = [];
    const notificationIds: string[] = [];
    const keys: string[] = [];
    for (let i = from; i < Math.min(N, from + BATCH); i++) {
      const id = `${prefix}-${i}`;
      const payload = JSON.stringify({ traderId: '42', symbol: 'INFY', quantity: i });
      const notificationId = randomUUID();
      ids.push(id);
      payloads.push(payload);
      hashes.push(createHash('sha256').update(`trade.executed${payload}`).digest('hex'));
      outcomes.push(
        JSON.stringify([{ index: 0, type: 'trade_executed', status: 'created', notificationId }]),
      );
      notificationIds.push(notificationId);
      keys.push(`event:${id}:0`);
    }
    batches.push([serviceId, ids, payloads, hashes, outcomes, notificationIds, keys]);
  }
  const text = `
    with e as (
      insert into raw_events (service_id, id, name, payload, request_hash, source, status, outcome,
                              processed_at)
      select $1, u.id, 'trade.executed', u.payload, u.hash, 'raw', 'processed', u.outcome, now()
        from unnest($2::text[], $3::jsonb[], $4::text[], $5::jsonb[]) as u(id, payload, hash, outcome)
      on conflict do nothing
      returning id, payload)
    insert into raw_notifications (id, service_id, type, audience, channels, data, priority,
                                   idempotency_key, request_hash)
    select n.id, $1, 'trade_executed', '{"kind":"topic","topic":"trader:42"}', '["in_app"]', e.payload,
           2, n.key, n.key
      from unnest($2::text[], $6::uuid[], $7::text[]) as n(event_id, id, key)
      join e on e.id = n.event_id
    on conflict do nothing`;
  const connections = await Promise.all(
    [0, 1].map(async () => {
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      return c;
    }),
  );
  let next = 0;
  const pg0 = await pgCpu();
  const started = performance.now();
  await Promise.all(
    connections.map(async (c) => {
      while (next < batches.length) await c.query(text, batches[next++]);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const pg1 = await pgCpu();
  await Promise.all(connections.map((c) => c.end()));
  const { rows } = await sql.query<{ e: number; n: number }>(
    `select (select count(*)::int from raw_events where service_id = $1) as e,
            (select count(*)::int from raw_notifications where service_id = $1) as n`,
    [serviceId],
  );
  if (rows[0]?.e !== N || rows[0]?.n !== N) throw new Error(`raw insert wrote ${JSON.stringify(rows[0])}`);
  return { rate: N / seconds, pgCpuUs: pg0 === null || pg1 === null ? null : (pg1 - pg0) / N };
}

/** With BENCH_EVENTS_CPU_PROF=dir: a CPU profile of this process over `f`, written to dir/name.cpuprofile. */
async function profiled<T>(name: string, f: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_EVENTS_CPU_PROF;
  if (!dir) return f();
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await f();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

const roundOrNull = (v: number | null) => (v === null ? null : Math.round(v));

const rawBefore = await rawInsert();
process.stderr.write(`raw insert: ${Math.round(rawBefore.rate)}/s\n`);

const figures: Record<
  string,
  {
    ceilingPerSecond: number;
    storedPerSecond: number;
    storedRatio: number;
    processedPerSecond: number;
    ratio: number;
    /**
     * CPU per message: this process (the no-op consumer; Herald), PostgreSQL while Herald ran, the
     * publisher's own process (during Herald's run), and the broker's server in each run.
     */
    cpuUsPerMessage: {
      ceiling: number;
      herald: number;
      heraldPostgres: number | null;
      publisher: number;
      brokerInCeiling: number | null;
      brokerInHerald: number | null;
    };
    /** Filled in once the raw insert ran again after the brokers. */
    ceilingVsRawInsert?: { rawOfCeiling: number; storedOfRaw: number; processedOfRaw: number };
  }
> = {};
for (const broker of BROKERS) {
  const before = await ceiling(broker);
  process.stderr.write(`${broker}: ceiling ${Math.round(before.rate)}/s\n`);
  const heraldRate = await profiled(`herald-${broker}`, () => throughHerald(broker));
  const afterRate = await ceiling(broker);
  const best = Math.max(before.rate, afterRate.rate);
  figures[broker] = {
    ceilingPerSecond: Math.round(best),
    storedPerSecond: Math.round(heraldRate.stored),
    storedRatio: Number((heraldRate.stored / best).toFixed(3)),
    processedPerSecond: Math.round(heraldRate.processed),
    ratio: Number((heraldRate.processed / best).toFixed(3)),
    cpuUsPerMessage: {
      ceiling: Math.round(Math.min(before.cpuUs, afterRate.cpuUs)),
      herald: Math.round(heraldRate.cpuUs),
      heraldPostgres: heraldRate.pgCpuUs === null ? null : Math.round(heraldRate.pgCpuUs),
      publisher: Math.round(heraldRate.publisherCpuUs),
      brokerInCeiling: roundOrNull(
        before.rate >= afterRate.rate ? before.brokerCpuUs : afterRate.brokerCpuUs,
      ),
      brokerInHerald: roundOrNull(heraldRate.brokerCpuUs),
    },
  };
  process.stderr.write(`${broker}: ${JSON.stringify(figures[broker])}\n`);
}

const rawAfter = await rawInsert();
process.stderr.write(`raw insert: ${Math.round(rawAfter.rate)}/s\n`);
const raw = rawBefore.rate >= rawAfter.rate ? rawBefore : rawAfter;
const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
for (const f of Object.values(figures))
  f.ceilingVsRawInsert = {
    // On the scale of `ratio`: below the goal, durable writes alone cannot reach half the broker.
    rawOfCeiling: ratio(raw.rate, f.ceilingPerSecond),
    storedOfRaw: ratio(f.storedPerSecond, raw.rate),
    processedOfRaw: ratio(f.processedPerSecond, raw.rate),
  };

publisherProcess.removeAllListeners('exit');
publisherProcess.kill();
await sql.end();
await herald.stop();
await database.drop();
console.log(
  JSON.stringify({
    bench: 'events',
    n: N,
    batch: BATCH,
    ...(STORE_ONLY ? { storeOnly: true } : {}),
    onArrival: ON_ARRIVAL,
    load1: Number(loadavg()[0]!.toFixed(2)),
    rawInsertPerSecond: Math.round(raw.rate),
    rawInsertPgCpuUsPerEvent: raw.pgCpuUs === null ? null : Math.round(raw.pgCpuUs),
    ...figures,
    goal: 0.5,
    met: Object.values(figures).every((f) => f.ratio >= 0.5),
  }),
);
