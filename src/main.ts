/**
 * The one place that picks adapters from configuration and wires Herald's parts together.
 * Roles: `api` serves HTTP; `worker` plans and dispatches; `herald start` runs both in one process.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { CHANNELS, type Channel } from './domain/channels.ts';
import { createTemplateRenderer } from './domain/templates.ts';
import type { RetryPolicy } from './domain/retry-policy.ts';
import type { Sender } from './ports/sender.ts';
import {
  connect,
  MEMORY,
  migrateToLatest,
  schemaIsCurrent,
  type Database,
} from './adapters/store/connect.ts';
import { kyselyApiKeyStore, kyselyServiceStore } from './adapters/store/kysely-services.ts';
import { kyselyRecipientStore } from './adapters/store/kysely-recipients.ts';
import { kyselyNotificationStore } from './adapters/store/kysely-notifications.ts';
import { kyselyPlanQueue } from './adapters/store/kysely-plan-queue.ts';
import { kyselyDeliveryQueue } from './adapters/store/kysely-delivery-queue.ts';
import { kyselyOutbox } from './adapters/store/kysely-outbox.ts';
import { createSmtpSender } from './adapters/channels/smtp/smtp-sender.ts';
import { createCaptureSender } from './adapters/channels/capture/capture-sender.ts';
import { createInAppSender } from './adapters/channels/in-app/in-app-sender.ts';
import { kyselyInboxStore } from './adapters/store/kysely-inbox.ts';
import { kyselyInboxSecrets, kyselyTickets } from './adapters/store/kysely-inbox-auth.ts';
import { pgNotifyBus } from './adapters/realtime/pg-notify-bus.ts';
import { redisBus } from './adapters/realtime/redis-bus.ts';
import { deliverToInbox, type InboxDeps } from './app/inbox.ts';
import { InboxHub } from './app/inbox-hub.ts';
import { buildServer } from './http/server.ts';
import { createPlanner } from './app/plan.ts';
import { createLane } from './app/dispatch.ts';
import type { WorkLoop } from './app/work-loop.ts';
import { sql } from 'kysely';

export interface Roles {
  api: boolean;
  worker: boolean;
}

export interface Herald {
  /** The API's address, when the API role runs. */
  url: string | undefined;
  adminToken: string | undefined;
  /** The database, for operator tools and tests. */
  db: Database['db'];
  stop(): Promise<void>;
}

/** In embedded mode an admin token is made once and kept in the data folder, readable only by its owner. */
function embeddedAdminToken(dataDir: string): { token: string; created: boolean } {
  const file = join(dataDir, 'admin-token');
  try {
    return { token: readFileSync(file, 'utf8').trim(), created: false };
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const token = `hadm_${randomBytes(24).toString('base64url')}`;
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return { token, created: true };
  }
}

function buildSenders(
  config: Config,
  db: Database,
  logger: Logger,
  inbox: InboxDeps,
): Map<Channel, Sender[]> {
  const outbox = kyselyOutbox(db.db);
  const senders = new Map<Channel, Sender[]>();
  for (const channel of CHANNELS) senders.set(channel, []);
  // In-app needs no outside provider in either mode: Herald's own inbox is the destination.
  senders.get('in_app')?.push(createInAppSender((m) => deliverToInbox(inbox, m)));
  for (const p of config.providers.email ?? []) senders.get('email')?.push(createSmtpSender(p));
  for (const channel of CHANNELS) {
    const chain = senders.get(channel) ?? [];
    if (chain.length === 0 && db.kind === 'pglite') chain.push(createCaptureSender(channel, outbox));
    logger.info(
      { channel, providers: chain.map((s) => s.name) },
      chain.length ? 'channel ready' : 'channel not configured',
    );
  }
  return senders;
}

function retryPolicyFor(config: Config, channel: Channel): RetryPolicy {
  const perChannel = (config.retry as Record<string, RetryPolicy | undefined>)[channel];
  return perChannel ?? config.retry.default;
}

export async function startHerald(config: Config, roles: Roles, log?: Logger): Promise<Herald> {
  const logger =
    log ??
    pino({
      level: config.logLevel,
      base: { pid: process.pid, roles: Object.keys(roles).filter((r) => roles[r as keyof Roles]) },
    });
  const database = await connect({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onListenerError: (err) => logger.warn({ err }, 'database connection error'),
  });
  const { db } = database;
  try {
    const applied = await migrateToLatest(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');

    let adminToken = config.adminToken;
    if (!adminToken && database.kind === 'pglite' && config.dataDir !== MEMORY) {
      const made = embeddedAdminToken(config.dataDir);
      adminToken = made.token;
      if (made.created) logger.info({ file: join(config.dataDir, 'admin-token') }, 'admin token created');
    }

    const renderer = createTemplateRenderer();
    const recipients = kyselyRecipientStore(db);
    const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    const loops: WorkLoop<unknown>[] = [];
    let unlisten: (() => Promise<void>) | undefined;
    let sweeper: NodeJS.Timeout | undefined;
    let senders: Map<Channel, Sender[]> | undefined;
    let hub: InboxHub | undefined;
    const onInboxError = (err: unknown, where: string) => logger.warn({ err, where }, 'inbox error');
    const bus = config.redisUrl
      ? redisBus(
          config.redisUrl,
          (err) => onInboxError(err, 'redis'),
          () => hub?.wakeAll(),
        )
      : pgNotifyBus(database, {
          databaseUrl: config.databaseUrl,
          onReconnect: () => hub?.wakeAll(),
          onError: (err) => onInboxError(err, 'inbox listener'),
        });
    const inbox: InboxDeps = { store: kyselyInboxStore(db), bus, onError: onInboxError };
    let unsubscribeBus: (() => Promise<void>) | undefined;

    if (roles.worker) {
      const onError = (err: unknown, where: string) => logger.error({ err, where }, 'worker error');
      const planner = createPlanner({
        owner,
        queue: kyselyPlanQueue(db),
        recipients,
        renderer,
        leaseMs: config.worker.leaseMs,
        pollMs: config.worker.pollMs,
        concurrency: Math.max(2, Math.ceil(config.worker.concurrency / 4)),
        onError,
      });
      senders = buildSenders(config, database, logger, inbox);
      const queue = kyselyDeliveryQueue(db);
      const lanes = new Map<string, WorkLoop<unknown>>();
      for (const channel of CHANNELS) {
        lanes.set(
          `lane:${channel}`,
          createLane({
            channel,
            owner,
            queue,
            senders: senders.get(channel) ?? [],
            policy: retryPolicyFor(config, channel),
            leaseMs: config.worker.leaseMs,
            pollMs: config.worker.pollMs,
            concurrency: config.worker.concurrency,
            onError,
          }),
        );
      }
      unlisten = await database.listen((payload) => {
        if (payload === 'plan') planner.wake();
        else lanes.get(payload)?.wake();
      });
      loops.push(planner, ...lanes.values());
      for (const loop of loops) loop.start();
      const sweep = async () => {
        const policyMax = config.retry.default.maxAttempts;
        const moved = await queue.reclaimExpired(policyMax);
        if (moved > 0) {
          logger.warn({ moved }, 'reclaimed deliveries whose worker lost its lease');
          for (const lane of lanes.values()) lane.wake();
        }
      };
      sweeper = setInterval(
        () => void sweep().catch((err: unknown) => onError(err, 'sweeper')),
        config.worker.sweepMs,
      );
      logger.info({ owner }, 'worker started');
    }

    let app: FastifyInstance | undefined;
    let url: string | undefined;
    if (roles.api) {
      hub = new InboxHub({
        store: inbox.store,
        heartbeatMs: config.inbox.heartbeatMs,
        onError: onInboxError,
      });
      hub.start();
      const wakeHub = hub;
      unsubscribeBus = await bus.subscribe((r) => wakeHub.wake(r));
      app = await buildServer({
        services: kyselyServiceStore(db),
        keys: kyselyApiKeyStore(db),
        recipients,
        notifications: kyselyNotificationStore(db),
        outbox: kyselyOutbox(db),
        renderer,
        adminToken,
        bodyLimit: config.bodyLimitBytes,
        logger: logger.child({ component: 'api' }),
        inbox: {
          ...inbox,
          hub,
          heartbeatMs: config.inbox.heartbeatMs,
          secrets: kyselyInboxSecrets(db),
          tickets: kyselyTickets(db),
          ticketTtlMs: config.inbox.ticketTtlMs,
        },
        async ready() {
          const dbOk = await sql`select 1`.execute(db).then(
            () => true,
            () => false,
          );
          const schemaOk = dbOk && (await schemaIsCurrent(db));
          return { ok: dbOk && schemaOk, checks: { database: dbOk, migrations: schemaOk } };
        },
      });
      url = await app.listen({ host: config.host, port: config.port });
      logger.info(
        {
          url,
          docs: `${url}/docs`,
          mode: database.kind === 'pglite' ? 'embedded' : 'postgres',
          inboxBus: bus.name,
        },
        'Herald API listening',
      );
    }

    let stopping: Promise<void> | undefined;
    return {
      url,
      adminToken,
      db,
      stop() {
        stopping ??= (async () => {
          logger.info('stopping: no new claims, finishing in-flight work');
          await app?.close();
          hub?.close();
          await unsubscribeBus?.();
          if (sweeper) clearInterval(sweeper);
          const drain = Promise.all(loops.map((l) => l.stop()));
          const timeout = new Promise<'timeout'>((r) =>
            setTimeout(() => r('timeout'), config.worker.drainMs).unref(),
          );
          if ((await Promise.race([drain.then(() => 'drained' as const), timeout])) === 'timeout') {
            logger.warn('drain timed out; unfinished deliveries will be reclaimed when their lease expires');
          }
          await unlisten?.();
          await bus.close();
          for (const chain of senders?.values() ?? []) for (const s of chain) await s.close?.();
          await database.close();
          logger.info('stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await database.close().catch(() => undefined);
    throw err;
  }
}

export async function migrateOnly(config: Config): Promise<string[]> {
  const database = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
}
