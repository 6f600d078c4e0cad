/**
 * Status publishers against the real RabbitMQ, NATS JetStream and Redis on this machine, from a real
 * PostgreSQL: every status change of real deliveries arrives once, by id; a broker restart (private
 * NATS and Redis servers) or a cut connection (a TCP proxy in front of RabbitMQ) mid-stream loses
 * nothing; a worker process SIGKILLed after the broker confirmed a batch and before its cursor moved
 * sends that batch again under the same event ids; and a status row that commits after a higher id
 * is published, not passed over.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { PublisherConfig } from '../../src/config-publishers.ts';
import { loadConfig } from '../../src/config.ts';
import { startStatusPublishers } from '../../src/app/status-publishers.ts';
import { createStatusSink } from '../../src/adapters/publishers/index.ts';
import { kyselyStatusLogCursors } from '../../src/adapters/store/kysely-status-publishers.ts';
import { createPromMetrics } from '../../src/adapters/metrics/prom-metrics.ts';
import type { Herald } from '../../src/main.ts';
import { client, eventually, registerService, type Client } from '../helpers/api.ts';
import {
  brokerProblem,
  NATS_URL,
  privateNats,
  privateRedis,
  privateServerProblem,
  rabbitProxy,
  RABBIT_URL,
  REDIS_URL,
  uniqueName,
  type Broker,
} from '../helpers/brokers.ts';
import {
  natsCollector,
  rabbitCollector,
  redisCollector,
  type Collector,
} from '../helpers/status-collectors.ts';
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
  config: PublisherConfig;
  /** A consumer on the broker itself (never through the proxy), reading what arrived. */
  collector(): Promise<Collector>;
}

/** A publisher of the broker on names of its own, for one service, from the start of the log. */
function target(broker: Broker, serviceId: string, url?: string, consumeUrl?: string): Target {
  const name = uniqueName(`t17out${broker}`);
  const common = {
    name,
    services: [serviceId],
    batch: 20,
    pollMs: 50,
    confirmTimeoutMs: 3000,
    startAt: 'beginning',
  };
  const config = (raw: Record<string, unknown>) =>
    loadConfig({ HERALD_CONFIG: 'x' }, () => ({ publishers: [{ ...raw, ...common }] })).publishers[0]!;
  if (broker === 'rabbitmq') {
    const c = config({ broker, url: url ?? RABBIT_URL, exchange: name });
    return { config: c, collector: () => rabbitCollector(consumeUrl ?? RABBIT_URL, name) };
  }
  if (broker === 'nats') {
    const subjects = [`${name}.>`];
    const c = config({
      broker,
      servers: url ?? NATS_URL,
      stream: name,
      subject: `${name}.{event}`,
      subjects,
    });
    return { config: c, collector: () => natsCollector(url ?? NATS_URL, name, subjects) };
  }
  const c = config({ broker, url: url ?? REDIS_URL, stream: name });
  return { config: c, collector: () => redisCollector(url ?? REDIS_URL, name) };
}

describe('status publishers', { skip: skipWithoutPg }, () => {
  let database: TestDatabase;
  let herald: Herald;
  let api: Client;
  let sql: pg.Client;

  before(async () => {
    database = await freshDatabase();
    herald = await startInProcess({ databaseUrl: database.url, config: { worker: { pollMs: 50 } } });
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
  });
  after(async () => {
    await sql?.end();
    await herald?.stop();
    await database?.drop();
  });

  const newService = async () => {
    const service = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), uniqueName('Svc'), [
      'order_shipped',
    ]);
    api = client(herald.url ?? '', service.apiKey);
    return service.id;
  };

  const run = (configs: PublisherConfig[]) => {
    const metrics = createPromMetrics({ defaults: false });
    return startStatusPublishers({
      publishers: configs,
      owner: `test-${randomUUID()}`,
      makeSink: createStatusSink,
      cursors: kyselyStatusLogCursors(herald.db),
      metrics,
      log: quietLog,
    }).then((p) => ({ ...p, metrics }));
  };

  /** Status rows written straight into the log, as the deliveries trigger writes them. */
  const logRows = async (db: pg.Client, serviceId: string, n: number): Promise<string[]> => {
    const { rows } = await db.query<{ id: string }>(
      `insert into delivery_status_log (delivery_id, notification_id, service_id, channel, status, occurred_at)
       select gen_random_uuid(), gen_random_uuid(), $1, 'email', 'sent', now() from generate_series(1, $2)
       returning id::text`,
      [serviceId, n],
    );
    return rows.map((r) => `evt_${r.id}`);
  };
  const loggedIds = async (serviceId: string) =>
    (
      await sql.query<{ id: string }>(
        `select 'evt_' || id as id from delivery_status_log where service_id = $1`,
        [serviceId],
      )
    ).rows
      .map((r) => r.id)
      .sort();

  /** Waits until every id arrived; returns how many times each did. */
  const arrived = async (c: Collector, ids: string[], timeoutMs = 60_000) =>
    eventually(
      async () => {
        const got = await c.received();
        const counts = new Map<string, number>();
        for (const e of got) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
        return ids.every((id) => counts.has(id)) ? { counts, got } : undefined;
      },
      { what: `${ids.length} status events`, timeoutMs, intervalMs: 200 },
    );

  for (const broker of BROKERS) {
    describe(broker, { skip: problems[broker] ?? false }, () => {
      it('publishes every status change of real deliveries once, with its event id', async () => {
        const serviceId = await newService();
        const t = target(broker, serviceId);
        const collector = await t.collector();
        const publishers = await run([t.config]);
        try {
          for (let i = 0; i < 6; i++)
            assert.equal((await api.put(`/v1/recipients/r${i}`, { email: `r${i}@example.com` })).status, 201);
          const sent = await api.post('/v1/notifications', {
            type: 'order_shipped',
            recipients: ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'],
            channels: ['in_app'],
            data: { order: 7 },
            content: { in_app: { title: 'Shipped', body: 'Order {{ order }} is on its way' } },
          });
          assert.equal(sent.status, 202, JSON.stringify(sent.body));
          // The log and what arrived, once they agree (a delivery may report more than one status).
          const { logged, got } = await eventually(
            async () => {
              const ids = await loggedIds(serviceId);
              if (ids.length < 6) return undefined;
              const all = await collector.received();
              const arrivedIds = [...new Set(all.map((e) => e.id))].sort();
              return JSON.stringify(arrivedIds) === JSON.stringify(ids)
                ? { logged: ids, got: all }
                : undefined;
            },
            { what: 'every status change published', timeoutMs: 60_000, intervalMs: 200 },
          );
          const counts = new Map<string, number>();
          for (const e of got) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
          for (const id of logged) assert.equal(counts.get(id), 1, `${id} arrived once`);
          const one = got[0]!;
          assert.equal(one.body.id, one.id);
          assert.equal(one.body.serviceId, serviceId);
          assert.equal(one.body.type, `delivery.${String(one.body.data.status)}`);
          assert.equal(one.body.data.notificationId, sent.body.id);
          assert.equal(one.body.data.notificationType, 'order_shipped');
          assert.match(String(one.body.data.recipientId), /^r\d$/);
          // Counted once the cursor has moved, a moment after the broker confirmed.
          await eventually(
            async () =>
              new RegExp(
                `herald_publisher_events_total\\{publisher="${t.config.name}"\\} ${got.length}\\b`,
              ).test(await publishers.metrics.render()),
            { what: 'the published count', timeoutMs: 30_000 },
          );
          await eventually(
            async () => {
              const m = await publishers.metrics.render();
              return new RegExp(`herald_publisher_lag\\{publisher="${t.config.name}"\\} 0\\b`).test(m);
            },
            { what: 'lag 0', timeoutMs: 30_000 },
          );
        } finally {
          await publishers.stop();
          await collector.close();
        }
      });

      const restartable = broker === 'rabbitmq' ? null : privateServerProblem(broker);
      it(
        'loses nothing when the broker goes away mid-stream and comes back',
        { skip: restartable ?? false },
        async () => {
          const serviceId = randomUUID();
          const server =
            broker === 'rabbitmq'
              ? await rabbitProxy()
              : broker === 'nats'
                ? await privateNats()
                : await privateRedis();
          await server.start();
          const t = target(broker, serviceId, server.url);
          const collector = await t.collector();
          const publishers = await run([t.config]);
          try {
            const first = await logRows(sql, serviceId, 30);
            await arrived(collector, first);
            await server.stop();
            // Written while the broker is away: the publisher fails, holds its cursor, and tries again.
            const during = await logRows(sql, serviceId, 30);
            await eventually(
              async () => {
                const m = await publishers.metrics.render();
                return new RegExp(
                  `herald_publisher_errors_total\\{publisher="${t.config.name}",kind="broker"\\} [1-9]`,
                ).test(m);
              },
              { what: 'a broker error', timeoutMs: 30_000 },
            );
            await server.start();
            const later = await logRows(sql, serviceId, 30);
            const all = [...first, ...during, ...later];
            const { counts } = await arrived(collector, all);
            assert.deepEqual([...counts.keys()].sort(), [...all].sort(), 'every event, and only these');
          } finally {
            await publishers.stop();
            await collector.close().catch(() => undefined);
            await server.stop();
          }
        },
      );

      it('sends again what the broker confirmed when the worker is killed before its cursor moves', async () => {
        const serviceId = randomUUID();
        const t = target(broker, serviceId);
        const name = t.config.name;
        const collector = await t.collector();
        // The cursor update after a published batch waits on an advisory lock this test holds (a
        // trigger installed by the test, nothing in Herald): the worker has the broker's confirm and
        // has not moved its cursor. (A round that published nothing moves it freely.)
        const key = Math.floor(Math.random() * 2 ** 30);
        const holder = new pg.Client({ connectionString: database.url });
        await holder.connect();
        await holder.query('select pg_advisory_lock($1)', [key]);
        const trigger = `hold_${name.replace(/[^a-z0-9]/g, '_')}`;
        await sql.query(`create function ${trigger}() returns trigger language plpgsql as $$
                         begin perform pg_advisory_xact_lock(${key}); return new; end $$`);
        await sql.query(`create trigger ${trigger} before update on status_publishers for each row
                         when (new.name = '${name}' and new.published > old.published)
                         execute function ${trigger}()`);
        const dir = tempDir();
        const env = {
          DATABASE_URL: database.url,
          HERALD_CONFIG: writeConfig(dir, { publishers: [t.config], worker: { pollMs: 100 } }),
        };
        let worker = await startHeraldProcess('worker', env);
        try {
          const first = await logRows(sql, serviceId, t.config.batch);
          await arrived(collector, first);
          const waiting = await eventually(
            async () => {
              const r = await sql.query<{ pid: number }>(
                `select pid from pg_stat_activity where datname = $1 and wait_event = 'advisory'
                   and query like '%update status_publishers%'`,
                [database.name],
              );
              return r.rows.length > 0 ? r.rows.map((x) => x.pid) : undefined;
            },
            { what: 'the cursor update waiting', timeoutMs: 60_000 },
          );
          await worker.stop('SIGKILL');
          // The update is one statement that would commit on its own once the lock goes; ending its
          // connection is the crash before it reached the server.
          for (const pid of waiting) await sql.query('select pg_terminate_backend($1)', [pid]);
          await sql.query(`drop trigger ${trigger} on status_publishers`);
          await holder.query('select pg_advisory_unlock($1)', [key]);
          const { rows: cursor } = await sql.query<{ published: string }>(
            `select published::text from status_publishers where name = $1`,
            [name],
          );
          assert.equal(cursor[0]?.published, '0', 'the cursor did not move');
          // The dead worker's lease would run out by itself (30 s); it is ended here instead.
          await sql.query(`update status_publishers set lease_expires_at = now() where name = $1`, [name]);
          const later = await logRows(sql, serviceId, 5);
          worker = await startHeraldProcess('worker', env);
          const all = [...first, ...later];
          const { counts, got } = await arrived(collector, all);
          assert.deepEqual([...counts.keys()].sort(), [...all].sort(), 'every event, and only these');
          for (const id of later) assert.equal(counts.get(id), 1, `${id} once`);
          // Confirmed before the kill and sent again after it, under the same id, with the same body.
          // JetStream drops the second copy itself: the message id is its de-duplication key.
          for (const id of first) assert.equal(counts.get(id), broker === 'nats' ? 1 : 2, `${id} copies`);
          for (const id of first) {
            const copies = got.filter((e) => e.id === id).map((e) => JSON.stringify(e.body));
            assert.equal(new Set(copies).size, 1, `${id}: the copies are the same event`);
          }
        } finally {
          // The lock first: a worker waiting on it would not stop, nor let the trigger be dropped.
          await holder.end();
          await worker.stop();
          await sql.query(`drop trigger if exists ${trigger} on status_publishers`).catch(() => undefined);
          await sql.query(`drop function if exists ${trigger}()`).catch(() => undefined);
          await collector.close();
        }
      });

      it('publishes a row that commits after a higher id, instead of passing over it', async () => {
        const serviceId = randomUUID();
        const t = target(broker, serviceId);
        const collector = await t.collector();
        const publishers = await run([t.config]);
        const slow = new pg.Client({ connectionString: database.url });
        await slow.connect();
        try {
          const before = await logRows(sql, serviceId, 3);
          await arrived(collector, before);
          // A transaction takes a lower id and stays open while a later one commits a higher id.
          await slow.query('begin');
          const [early] = await logRows(slow, serviceId, 1);
          const [late] = await logRows(sql, serviceId, 1);
          assert.ok(Number(early!.slice(4)) < Number(late!.slice(4)));
          // The publisher keeps polling meanwhile; the committed higher id waits for the open one.
          await new Promise((r) => setTimeout(r, 1000));
          assert.ok(!(await collector.received()).some((e) => e.id === late), 'held until older ones end');
          await slow.query('commit');
          const { counts } = await arrived(collector, [early!, late!]);
          for (const id of [...before, early!, late!]) assert.equal(counts.get(id), 1, `${id} once`);
        } finally {
          await slow.query('rollback').catch(() => undefined);
          await slow.end();
          await publishers.stop();
          await collector.close();
        }
      });
    });
  }
});

describe(
  'a worker with a publisher in its config file (embedded, PGlite)',
  { skip: problems.redis ?? false },
  () => {
    it('publishes the status changes of its deliveries to Redis', async () => {
      const stream = uniqueName('t17outembedded');
      const herald = await startInProcess({
        config: {
          worker: { pollMs: 50 },
          publishers: [{ broker: 'redis', name: 'embedded', url: REDIS_URL, stream, pollMs: 50 }],
        },
      });
      const collector = await redisCollector(REDIS_URL, stream);
      try {
        const service = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Embedded', [
          'order_shipped',
        ]);
        const api = client(herald.url ?? '', service.apiKey);
        assert.equal((await api.put('/v1/recipients/r1', { email: 'r1@example.com' })).status, 201);
        const sent = await api.post('/v1/notifications', {
          type: 'order_shipped',
          recipient: 'r1',
          channels: ['in_app'],
          content: { in_app: { title: 'Shipped', body: 'On its way' } },
        });
        assert.equal(sent.status, 202, JSON.stringify(sent.body));
        const got = await eventually(
          async () => {
            const all = await collector.received();
            return all.length > 0 ? all : undefined;
          },
          { what: 'a status event in Redis', timeoutMs: 60_000 },
        );
        assert.match(got[0]!.id, /^evt_\d+$/);
        assert.equal(got[0]!.body.serviceId, service.id);
        assert.equal(got[0]!.body.data.notificationId, sent.body.id);
      } finally {
        await herald.stop();
        await collector.close();
      }
    });
  },
);
