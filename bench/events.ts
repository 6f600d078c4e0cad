/**
 * Broker sources: events/s from each broker into accepted notifications, against the broker's own
 * publish → consume rate with a no-op consumer (the same source adapter, pull and ack, nothing
 * stored), measured in the same run on the same machine. For each broker: N messages are published
 * to a fresh queue/stream/subject while the consumer runs; the ceiling is timed to the last ack, Herald
 * to the last event processed into its notification (the seed-000 rule, an in-app notification to
 * one follower). The ceiling runs before and after Herald and the faster counts. Ends with one JSON
 * line; goal: Herald ≥ 0.5 × the ceiling for each broker.
 *
 *   BENCH_EVENTS_N=5000 npm run bench -- events
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { createEventSource } from '../src/adapters/sources/index.ts';
import { kyselyDeadEvents } from '../src/adapters/store/kysely-dead-events.ts';
import { kyselyEventStore } from '../src/adapters/store/kysely-events.ts';
import { createPromMetrics } from '../src/adapters/metrics/prom-metrics.ts';
import { startEventSources } from '../src/app/event-sources.ts';
import { loadConfig } from '../src/config.ts';
import type { SourceConfig } from '../src/config-sources.ts';
import { client, registerService } from '../test/helpers/api.ts';
import {
  natsPublisher,
  NATS_URL,
  rabbitPublisher,
  RABBIT_URL,
  redisPublisher,
  REDIS_URL,
  uniqueName,
  type Broker,
  type OutMessage,
  type Publisher,
} from '../test/helpers/brokers.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../test/helpers/in-process.ts';
import { freshDatabase } from '../test/helpers/pg.ts';

const N = Number(process.env.BENCH_EVENTS_N ?? 5000);
const BATCH = Number(process.env.BENCH_EVENTS_BATCH ?? 200);
const BROKERS: Broker[] = ['rabbitmq', 'nats', 'redis'];

const database = await freshDatabase();
const herald = await startInProcess({ databaseUrl: database.url });
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

function target(broker: Broker): { config: SourceConfig; publisher: () => Promise<Publisher> } {
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
  if (broker === 'rabbitmq')
    return {
      config: load({ broker, url: RABBIT_URL, queue: name }),
      publisher: () => rabbitPublisher(RABBIT_URL, name),
    };
  if (broker === 'nats')
    return {
      config: load({ broker, servers: NATS_URL, stream: name, subjects: [`${name}.t`], durable: 'herald' }),
      publisher: () => natsPublisher(NATS_URL, name, `${name}.t`),
    };
  return {
    config: load({ broker, url: REDIS_URL, stream: name, group: 'herald' }),
    publisher: () => redisPublisher(REDIS_URL, name),
  };
}

const messages = (prefix: string): OutMessage[] =>
  Array.from({ length: N }, (_, i) => ({
    headers: { event: 'trade.executed' },
    body: JSON.stringify({ id: `${prefix}-${i}`, data: { traderId: '42', symbol: 'INFY', quantity: i } }),
  }));

async function publishAll(pub: Publisher, all: OutMessage[]) {
  for (let i = 0; i < all.length; i += 500) await pub.publish(all.slice(i, i + 500));
}

/** Publish → consume with a consumer that only acks. */
async function ceiling(broker: Broker): Promise<number> {
  const t = target(broker);
  const pub = await t.publisher();
  const source = await createEventSource(t.config);
  await source.start();
  const all = messages(t.config.name);
  const started = performance.now();
  let consumed = 0;
  const consumer = (async () => {
    while (consumed < N) {
      const got = await source.pull(BATCH, 1000);
      await source.ack(got);
      consumed += got.length;
    }
  })();
  await publishAll(pub, all);
  await consumer;
  const seconds = (performance.now() - started) / 1000;
  await source.close();
  await pub.close();
  return N / seconds;
}

/** Publish → events durable (acked), and → expanded with their notifications written. */
async function throughHerald(broker: Broker): Promise<{ stored: number; processed: number }> {
  const t = target(broker);
  const pub = await t.publisher();
  const sources = await startEventSources({
    sources: [t.config],
    makeSource: createEventSource,
    events: kyselyEventStore(herald.db),
    dead: kyselyDeadEvents(herald.db),
    metrics: createPromMetrics({ defaults: false }),
    log: { info() {}, warn() {}, error() {} },
    serviceExists: async () => true,
  });
  const all = messages(t.config.name);
  const started = performance.now();
  await publishAll(pub, all);
  let storedAt: number | undefined;
  for (let polls = 0; ; polls++) {
    const { rows } = await sql.query<{ n: number; all: number }>(
      `select count(*) filter (where status = 'processed')::int as n, count(*)::int as all
         from events where source = $1`,
      [t.config.name],
    );
    if (storedAt === undefined && (rows[0]?.all ?? 0) >= N) storedAt = performance.now();
    if ((rows[0]?.n ?? 0) >= N) break;
    if (polls % 200 === 199) process.stderr.write(`${broker}: ${rows[0]?.n ?? 0} of ${N} processed\n`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  await sources.stop();
  await pub.close();
  return { stored: N / (((storedAt ?? performance.now()) - started) / 1000), processed: N / seconds };
}

const figures: Record<
  string,
  {
    ceilingPerSecond: number;
    storedPerSecond: number;
    storedRatio: number;
    processedPerSecond: number;
    ratio: number;
  }
> = {};
for (const broker of BROKERS) {
  const before = await ceiling(broker);
  process.stderr.write(`${broker}: ceiling ${Math.round(before)}/s\n`);
  const heraldRate = await throughHerald(broker);
  const afterRate = await ceiling(broker);
  const best = Math.max(before, afterRate);
  figures[broker] = {
    ceilingPerSecond: Math.round(best),
    storedPerSecond: Math.round(heraldRate.stored),
    storedRatio: Number((heraldRate.stored / best).toFixed(3)),
    processedPerSecond: Math.round(heraldRate.processed),
    ratio: Number((heraldRate.processed / best).toFixed(3)),
  };
  process.stderr.write(`${broker}: ${JSON.stringify(figures[broker])}\n`);
}

await sql.end();
await herald.stop();
await database.drop();
console.log(
  JSON.stringify({
    bench: 'events',
    n: N,
    batch: BATCH,
    load1: Number(loadavg()[0]!.toFixed(2)),
    ...figures,
    goal: 0.5,
    met: Object.values(figures).every((f) => f.ratio >= 0.5),
  }),
);
