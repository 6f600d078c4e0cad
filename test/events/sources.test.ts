/**
 * Broker sources against the real RabbitMQ, NATS JetStream and Redis on this machine, into a real
 * PostgreSQL: events stored once by id and expanded by the seed-000 rule (its condition filtering),
 * a poison message kept as a dead event and acked, an id reused with another body kept as dead, a
 * broker restart mid-stream (private NATS and Redis servers; a cut TCP proxy for RabbitMQ), and a
 * Herald worker killed between receiving a message and committing it (the message comes again and
 * is stored once), and PostgreSQL taken away mid-stream (a cut TCP proxy): the source holds what it
 * pulled, pulls no more, counts errors and shows its lag, and stores every message once after.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import * as amqp from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { connect } from '../../src/adapters/store/connect.ts';
import type { SourceConfig } from '../../src/config-sources.ts';
import { loadConfig } from '../../src/config.ts';
import { startEventSources } from '../../src/app/event-sources.ts';
import { createEventSource } from '../../src/adapters/sources/index.ts';
import { kyselyDeadEvents } from '../../src/adapters/store/kysely-dead-events.ts';
import { kyselyEventStore } from '../../src/adapters/store/kysely-events.ts';
import { kyselyNotificationTypeStore } from '../../src/adapters/store/kysely-notification-types.ts';
import { kyselyTriggerRules } from '../../src/adapters/store/kysely-trigger-rules.ts';
import { expandOnArrival } from '../../src/app/events.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import { createPromMetrics } from '../../src/adapters/metrics/prom-metrics.ts';
import type { Herald } from '../../src/main.ts';
import { client, eventually, registerService, type Client } from '../helpers/api.ts';
import {
  brokerProblem,
  natsPublisher,
  NATS_URL,
  privateNats,
  privateRedis,
  privateServerProblem,
  rabbitProxy,
  rabbitPublisher,
  RABBIT_URL,
  tcpProxy,
  redisPublisher,
  REDIS_URL,
  uniqueName,
  type Broker,
  type OutMessage,
  type Publisher,
} from '../helpers/brokers.ts';
import { startHeraldProcess, tempDir, writeConfig } from '../helpers/herald-process.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

const BROKERS: Broker[] = ['rabbitmq', 'nats', 'redis'];
const problems = Object.fromEntries(
  await Promise.all(BROKERS.map(async (b) => [b, await brokerProblem(b)] as const)),
) as Record<Broker, string | null>;
for (const [b, p] of Object.entries(problems))
  if (p && process.env.CI) throw new Error(`${b} is required under CI: ${p}`);

const quietLog = { info() {}, warn() {}, error() {} };

interface Target {
  config: SourceConfig;
  publisher(): Promise<Publisher>;
}

/** A source of the broker on names of its own; the name from a header, the id and payload from the body. */
function target(
  broker: Broker,
  serviceId: string,
  url?: string,
  extra: Record<string, unknown> = {},
): Target {
  const name = uniqueName(`t17${broker}`);
  const common = {
    name,
    service: serviceId,
    eventName: { header: 'event' },
    eventId: { field: '/id' },
    payload: '/data',
    batch: 50,
    maxRawBytes: 64,
  };
  const config = (raw: Record<string, unknown>) => {
    const c = loadConfig({ HERALD_CONFIG: 'x' }, () => ({ sources: [{ ...raw, ...common, ...extra }] }));
    return c.sources[0]!;
  };
  if (broker === 'rabbitmq') {
    const c = config({ broker, url: url ?? RABBIT_URL, queue: name });
    return { config: c, publisher: () => rabbitPublisher(url ?? RABBIT_URL, name) };
  }
  if (broker === 'nats') {
    const subject = `${name}.trades`;
    const c = config({
      broker,
      servers: url ?? NATS_URL,
      stream: name,
      subjects: [subject],
      durable: 'herald',
      ackWaitMs: 1000,
    });
    return { config: c, publisher: () => natsPublisher(url ?? NATS_URL, name, subject) };
  }
  const c = config({ broker, url: url ?? REDIS_URL, stream: name, group: 'herald', claimIdleMs: 500 });
  return { config: c, publisher: () => redisPublisher(url ?? REDIS_URL, name) };
}

const trade = (id: string, traderId: string, quantity: number): OutMessage => ({
  headers: { event: 'trade.executed' },
  body: JSON.stringify({ id, data: { traderId, symbol: 'INFY', quantity, traderPortfolio: 10000 } }),
});

/**
 * Messages the broker has handed to a source that the source has not acked, as the broker counts
 * them; `published` of them were sent (RabbitMQ tells only the ready ones apart).
 */
async function heldByBroker(c: SourceConfig, published: number): Promise<number> {
  if (c.broker === 'rabbitmq') {
    const conn = await amqp.connect(RABBIT_URL);
    try {
      const ch = await conn.createChannel();
      return published - (await ch.checkQueue(c.queue)).messageCount;
    } finally {
      await conn.close();
    }
  }
  if (c.broker === 'nats') {
    const nc = await natsConnect({ servers: NATS_URL });
    try {
      return (await (await jetstreamManager(nc)).consumers.info(c.stream, c.durable)).num_ack_pending;
    } finally {
      await nc.close();
    }
  }
  const redis = new Redis(REDIS_URL);
  try {
    const [count] = (await redis.xpending(c.stream, c.group)) as [number];
    return Number(count);
  } finally {
    redis.disconnect();
  }
}

describe('broker sources', { skip: skipWithoutPg }, () => {
  let database: TestDatabase;
  let herald: Herald;
  let api: Client;
  let serviceId: string;
  let sql: pg.Client;

  const eventRow = (id: string) =>
    sql.query(`select status, error, raw, source, outcome from events where service_id = $1 and id = $2`, [
      serviceId,
      id,
    ]);
  const finished = (id: string) =>
    eventually(
      async () => {
        const res = await api.get(`/v1/events/${id}`);
        return res.status === 200 && res.body.status !== 'pending' ? res.body : undefined;
      },
      { what: `event ${id}`, timeoutMs: 60_000 },
    );

  before(async () => {
    database = await freshDatabase();
    herald = await startInProcess({ databaseUrl: database.url });
    const service = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Trinkerr', [
      'trade_executed',
    ]);
    serviceId = service.id;
    api = client(herald.url ?? '', service.apiKey);
    for (const id of ['f1', 'f2'])
      assert.equal((await api.put(`/v1/recipients/${id}`, { email: `${id}@example.com` })).status, 201);
    assert.equal(
      (await api.put('/v1/topics/trader:42/subscribers', { recipients: ['f1', 'f2'] })).status,
      200,
    );
    const rule = await api.put('/v1/triggers/trade.executed', {
      notifications: [
        {
          type: 'trade_executed',
          to: { topic: 'trader:{{ traderId }}' },
          channels: ['in_app'],
          condition: 'quantity > 0',
        },
      ],
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
  });
  after(async () => {
    await sql?.end();
    await herald?.stop();
    await database?.drop();
  });

  const runSources = (configs: SourceConfig[]) => {
    const metrics = createPromMetrics({ defaults: false });
    return startEventSources({
      sources: configs,
      makeSource: createEventSource,
      events: kyselyEventStore(herald.db),
      dead: kyselyDeadEvents(herald.db),
      metrics,
      log: quietLog,
      // As Herald's worker wires them: expanded as they are stored.
      expand: expandOnArrival({
        rules: kyselyTriggerRules(herald.db),
        types: kyselyNotificationTypeStore(herald.db),
        renderer: createTemplateRenderer(),
      }),
      serviceExists: async () => true,
    }).then((s) => ({ ...s, metrics }));
  };

  it(
    "reads the README's copy-trading source: an exchange binding, the routing key as name, the message id",
    {
      skip: problems.rabbitmq ?? false,
    },
    async () => {
      const name = uniqueName('t17readme');
      const exchange = `${name}-trading`;
      const config = loadConfig({ HERALD_CONFIG: 'x' }, () => ({
        sources: [
          {
            name,
            broker: 'rabbitmq',
            url: RABBIT_URL,
            queue: `${name}.trades`,
            bind: { exchange, routingKeys: ['trade.*'] },
            service: serviceId,
            eventName: { address: true },
            eventId: { header: 'message-id' },
            payload: '/data',
            batch: 100,
          },
        ],
      })).sources[0]!;
      const sources = await runSources([config]);
      await sources.ready;
      const conn = await amqp.connect(RABBIT_URL);
      try {
        const ch = await conn.createConfirmChannel();
        const body = { data: { traderId: 42, symbol: 'INFY', quantity: 50, traderPortfolio: 100000 } };
        ch.publish(exchange, 'trade.executed', Buffer.from(JSON.stringify(body)), {
          messageId: `${name}-8812`,
          persistent: true,
        });
        await ch.waitForConfirms();
        const event = await finished(`${name}-8812`);
        assert.equal(event.name, 'trade.executed');
        assert.equal(event.status, 'processed');
        assert.deepEqual(event.payload, body.data);
        const made = await api.get(`/v1/notifications/${event.notifications[0].notificationId}`);
        assert.deepEqual(made.body.audience, { kind: 'topic', topic: 'trader:42' });
        await ch.deleteQueue(`${name}.trades`);
        await ch.deleteExchange(exchange);
      } finally {
        await sources.stop();
        await conn.close();
      }
    },
  );

  for (const broker of BROKERS) {
    describe(broker, { skip: problems[broker] ?? false }, () => {
      it('stores each event once, filters by the condition, keeps poison and conflicts as dead, acks all', async () => {
        const t = target(broker, serviceId);
        const pub = await t.publisher();
        const sources = await runSources([t.config]);
        const p = t.config.name;
        try {
          await pub.publish([
            trade(`${p}-1`, '42', 5),
            trade(`${p}-1`, '42', 5), // the same event again: stored once
            trade(`${p}-2`, '42', 0), // the condition filters it
            {
              headers: { event: 'trade.executed' },
              body: Buffer.concat([Buffer.from('{"id": "x", oops '), Buffer.from([0xff])]),
            },
          ]);
          const one = await finished(`${p}-1`);
          assert.equal(one.status, 'processed');
          assert.equal(one.source, p);
          assert.equal(one.notifications.length, 1);
          assert.equal(one.notifications[0].status, 'created');
          const two = await finished(`${p}-2`);
          assert.equal(two.notifications[0].status, 'skipped');
          assert.match(two.notifications[0].reason, /condition/);
          // The same id with another body: a dead event, not a crash and not a second event.
          await pub.publish([trade(`${p}-1`, '42', 99)]);
          const dead = await eventually(
            async () => {
              const r = await sql.query(
                `select id, name, error, raw from events where service_id = $1 and source = $2 and status = 'dead' order by error`,
                [serviceId, p],
              );
              return r.rows.length === 2 ? r.rows : undefined;
            },
            { what: 'two dead events', timeoutMs: 30_000 },
          );
          const [poison, conflict] = [
            dead.find((d) => /not JSON/.test(d.error)),
            dead.find((d) => /already stored/.test(d.error)),
          ];
          assert.ok(poison, JSON.stringify(dead));
          assert.ok(conflict, JSON.stringify(dead));
          assert.equal(poison.name, 'trade.executed');
          assert.equal(poison.raw.length, 18); // the bytes as sent (under the 64-byte cap)
          assert.equal(poison.raw[poison.raw.length - 1], 0xff);
          const view = await api.get(`/v1/events/${poison.id}`);
          assert.equal(view.body.status, 'dead');
          assert.match(view.body.error, /not JSON/);
          const { rows } = await sql.query(
            `select count(*)::int as n from events where service_id = $1 and id like $2`,
            [serviceId, `${p}-%`],
          );
          assert.equal(rows[0].n, 2);
          const { rows: notes } = await sql.query(
            `select count(*)::int as n from notifications where service_id = $1 and idempotency_key like $2`,
            [serviceId, `event:${p}-1:%`],
          );
          assert.equal(notes[0].n, 1);
          // Everything acked: the broker holds nothing for the source.
          await eventually(
            async () => {
              const text = await sources.metrics.render();
              return new RegExp(`herald_source_lag\\{source="${p}"\\} 0`).test(text) ? text : undefined;
            },
            { what: 'lag 0', timeoutMs: 30_000 },
          );
          const text = await sources.metrics.render();
          assert.match(text, new RegExp(`herald_source_messages_total\\{source="${p}",outcome="dead"\\} 2`));
        } finally {
          await sources.stop();
          await pub.close();
        }
      });

      const restartable = broker === 'rabbitmq' ? null : privateServerProblem(broker);
      it('survives a broker restart mid-stream and resumes', { skip: restartable ?? false }, async () => {
        const server =
          broker === 'rabbitmq'
            ? await rabbitProxy()
            : broker === 'nats'
              ? await privateNats()
              : await privateRedis();
        await server.start();
        const t = target(broker, serviceId, server.url);
        const p = t.config.name;
        const sources = await runSources([t.config]);
        try {
          let pub = await t.publisher();
          await pub.publish([1, 2, 3].map((i) => trade(`${p}-${i}`, '42', i)));
          await finished(`${p}-3`);
          await pub.close();
          await server.stop();
          await new Promise((r) => setTimeout(r, 1500));
          await server.start();
          pub = await t.publisher();
          await pub.publish([4, 5, 6].map((i) => trade(`${p}-${i}`, '42', i)));
          for (const i of [4, 5, 6]) assert.equal((await finished(`${p}-${i}`)).status, 'processed');
          await pub.close();
          const { rows } = await sql.query(
            `select count(*)::int as n from events where service_id = $1 and id like $2`,
            [serviceId, `${p}-%`],
          );
          assert.equal(rows[0].n, 6);
        } finally {
          await sources.stop();
          await server.stop();
        }
      });

      it('redelivers a message whose Herald died between receiving and committing it, and stores it once', async () => {
        const t = target(broker, serviceId);
        const p = t.config.name;
        const dir = tempDir();
        const env = {
          DATABASE_URL: database.url,
          HERALD_CONFIG: writeConfig(dir, { sources: [t.config], worker: { pollMs: 100 } }),
        };
        // The events table locked: the worker receives the message and waits on its insert.
        const lock = new pg.Client({ connectionString: database.url });
        await lock.connect();
        let worker = await startHeraldProcess('worker', env);
        const pub = await t.publisher();
        try {
          await lock.query('begin');
          await lock.query('lock table events in exclusive mode');
          await pub.publish([trade(`${p}-1`, '42', 7)]);
          let waiting: number[] = [];
          // pg_stat_activity keeps a statement's first kilobyte: the source's store statement is known
          // there by its first lines (its insert comes later).
          await eventually(
            async () => {
              const r = await sql.query<{ pid: number }>(
                `select pid from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'
                   and (query like '%insert into events%' or query like '%as x(id text, name text, payload jsonb%')
                   and query not like '%pg_stat_activity%'`,
                [database.name],
              );
              waiting = r.rows.map((x) => x.pid);
              return waiting.length > 0;
            },
            { what: "the worker's insert waiting on the lock", timeoutMs: 60_000 },
          );
          await worker.stop('SIGKILL');
          // The insert is one statement that commits on its own: the server would finish it once the
          // lock goes, dead client or not (then the message comes again and is a replay). Ending its
          // connection too is the crash before the statement reached the server.
          for (const pid of waiting) await sql.query('select pg_terminate_backend($1)', [pid]);
          await lock.query('rollback');
          assert.equal((await eventRow(`${p}-1`)).rows.length, 0, 'nothing committed by the killed worker');
          worker = await startHeraldProcess('worker', env);
          const event = await finished(`${p}-1`);
          assert.equal(event.status, 'processed');
          assert.equal(event.notifications.length, 1);
          // A second copy published after the restart is the same event: still one row.
          await pub.publish([trade(`${p}-1`, '42', 7)]);
          await new Promise((r) => setTimeout(r, 1500));
          const { rows } = await sql.query(
            `select count(*)::int as n from events where service_id = $1 and id like $2`,
            [serviceId, `${p}-%`],
          );
          assert.equal(rows[0].n, 1);
        } finally {
          await lock.query('rollback').catch(() => undefined);
          await lock.end();
          await worker.stop();
          await pub.close();
        }
      });

      it('holds what it pulled while PostgreSQL is away, shows errors and lag, and stores every message once after', async () => {
        // Herald's sources reach PostgreSQL through a proxy the test cuts; the shared server stays up.
        const proxy = await tcpProxy(database.url);
        await proxy.start();
        const viaProxy = await connect({ databaseUrl: proxy.url, dataDir: 'unused', poolSize: 4 });
        const batch = 5;
        const t = target(broker, serviceId, undefined, { batch });
        const p = t.config.name;
        const metrics = createPromMetrics({ defaults: false });
        const sources = await startEventSources({
          sources: [t.config],
          makeSource: createEventSource,
          events: kyselyEventStore(viaProxy.db),
          dead: kyselyDeadEvents(viaProxy.db),
          metrics,
          log: quietLog,
          serviceExists: async () => true,
        });
        const pub = await t.publisher();
        const metric = async (re: RegExp) => re.exec(await metrics.render())?.[1];
        try {
          await pub.publish([trade(`${p}-0`, '42', 1)]);
          await finished(`${p}-0`);
          await proxy.stop();
          const n = 40;
          await pub.publish(Array.from({ length: n }, (_, i) => trade(`${p}-${i + 1}`, '42', i + 1)));
          // Refused batches are counted, and retried: a few errors in, the source still holds no more
          // than the batches it may have in flight (RabbitMQ: its prefetch), the rest wait on the broker.
          const errors = new RegExp(`herald_source_errors_total\\{source="${p}",kind="database"\\} (\\d+)`);
          await eventually(async () => Number((await metric(errors)) ?? 0) >= 4, {
            what: 'four refused batches',
            timeoutMs: 60_000,
          });
          const bound = broker === 'rabbitmq' ? 3 * batch : 2 * batch;
          const held = await heldByBroker(t.config, n);
          assert.ok(held > 0 && held <= bound, `the broker handed out ${held} of ${n}; at most ${bound}`);
          const lag = new RegExp(`herald_source_lag\\{source="${p}"\\} (-?\\d+)`);
          assert.equal(Number(await metric(lag)), n, 'every message unacknowledged, as the broker counts');
          const { rows: none } = await sql.query(
            `select count(*)::int as n from events where service_id = $1 and id like $2`,
            [serviceId, `${p}-%`],
          );
          assert.equal(none[0].n, 1, 'nothing stored while the database is away');

          await proxy.start();
          for (let i = 1; i <= n; i++) assert.equal((await finished(`${p}-${i}`)).status, 'processed');
          const { rows } = await sql.query<{ n: number; dead: number }>(
            `select count(*)::int as n, count(*) filter (where status = 'dead')::int as dead
               from events where service_id = $1 and source = $2`,
            [serviceId, p],
          );
          assert.deepEqual(rows[0], { n: n + 1, dead: 0 }, 'every message one event');
          await eventually(async () => (await metric(lag)) === '0', { what: 'lag 0', timeoutMs: 30_000 });
          assert.equal(
            await metric(
              new RegExp(`herald_source_messages_total\\{source="${p}",outcome="accepted"\\} (\\d+)`),
            ),
            String(n + 1),
          );
        } finally {
          await sources.stop();
          await pub.close();
          await viaProxy.close();
          await proxy.stop();
        }
      });
    });
  }
});
