/**
 * Status publishers: each one follows the delivery status log (the outbox the status webhooks are fed
 * from, written in the same transaction as each state change) with a cursor of its own, and publishes
 * every status event after it to a broker. The cursor moves only once the broker has confirmed the
 * whole batch, so a crash, a lost connection or a broker restart in between sends the batch again:
 * at-least-once, with the event id (`evt_<log id>`) on every message for consumers to drop copies.
 * Rows are read in `(txid, id)` order and only from transactions that have ended
 * (kysely-status-publishers.ts), so a row that commits after a higher id is never passed over.
 * One worker at a time publishes for a publisher (a lease on its cursor row); the others wait.
 */
import type { PublisherConfig } from '../config-publishers.ts';
import { outboundStatusEvent } from '../domain/status-event-message.ts';
import type {
  LogCursor,
  PublisherMetrics,
  StatusLogCursors,
  StatusLogFilter,
  StatusSink,
} from '../ports/status-publisher.ts';

export interface PublisherLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface StatusPublisherOptions {
  name: string;
  owner: string;
  sink: StatusSink;
  cursors: StatusLogCursors;
  filter: StatusLogFilter;
  /** Routing key, subject or stream key template (domain/status-event-message.ts). */
  address: string;
  batch: number;
  pollMs: number;
  startAt: 'now' | 'beginning';
  leaseMs: number;
  metrics: PublisherMetrics;
  log: PublisherLog;
  maxBackoffMs?: number;
}

export interface StatusPublisher {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

export function createStatusPublisher(o: StatusPublisherOptions): StatusPublisher {
  let stopped = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  const maxBackoff = o.maxBackoffMs ?? 5000;
  // A pause the stop cuts short.
  const pause = (ms: number) =>
    stopped
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const t = setTimeout(done, ms);
          function done() {
            clearTimeout(t);
            wake = undefined;
            resolve();
          }
          wake = done;
        });
  const backoff = (failures: number) => pause(Math.min(maxBackoff, 100 * 2 ** failures));

  /** Retries `f` until it succeeds or the publisher stops; undefined when stopped. */
  async function persist<T>(kind: 'broker' | 'database', what: string, f: () => Promise<T>) {
    for (let failures = 0; !stopped; failures++) {
      try {
        return { value: await f() };
      } catch (err) {
        o.metrics.publisherError(o.name, kind);
        o.log.warn({ err, publisher: o.name }, `status publisher: ${what} failed; retrying`);
        await backoff(failures);
      }
    }
    return undefined;
  }

  async function round(): Promise<'more' | 'idle' | 'stopped'> {
    const leased = await persist('database', 'lease', () => o.cursors.lease(o.name, o.owner, o.leaseMs));
    if (!leased) return 'stopped';
    const cursor = leased.value;
    if (!cursor) return 'idle'; // another worker publishes for it
    const read = await persist('database', 'read', () => o.cursors.read(cursor, o.filter, o.batch));
    if (!read) return 'stopped';
    const { rows, upto } = read.value;
    if (rows.length > 0) {
      const events = rows.map((r) => outboundStatusEvent(r, o.address));
      const sent = await persist('broker', 'publish', () => o.sink.publish(events));
      if (!sent) return 'stopped';
    }
    // A short batch read everything below `upto`: the cursor moves there even when nothing matched.
    const last = rows.at(-1);
    const full = rows.length >= o.batch;
    const to: LogCursor = full && last ? { txid: last.txid, logId: last.logId } : { txid: upto, logId: '0' };
    if (to.txid !== cursor.txid || to.logId !== cursor.logId) {
      const moved = await persist('database', 'cursor update', () =>
        o.cursors.advance(o.name, to, rows.length),
      );
      if (!moved) return 'stopped';
    }
    if (rows.length) o.metrics.statusPublished(o.name, rows.length);
    return full ? 'more' : 'idle';
  }

  async function run() {
    if (!(await persist('database', 'cursor setup', () => o.cursors.ensure(o.name, o.startAt)))) return;
    if (!(await persist('broker', 'connect', () => o.sink.start()))) return;
    o.log.info({ publisher: o.name }, 'status publisher started');
    while (!stopped) {
      const r = await round();
      if (r === 'idle') await pause(o.pollMs);
    }
  }

  return {
    name: o.name,
    start() {
      o.metrics.publisherLag(o.name, () => o.cursors.lag(o.name));
      loop ??= run().catch((err: unknown) =>
        o.log.error({ err, publisher: o.name }, 'status publisher stopped'),
      );
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await o.sink.close().catch(() => undefined);
    },
  };
}

export function addressOf(c: PublisherConfig): string {
  return c.broker === 'rabbitmq' ? c.routingKey : c.broker === 'nats' ? c.subject : c.stream;
}

export interface StatusPublishersOptions {
  publishers: PublisherConfig[];
  owner: string;
  makeSink(c: PublisherConfig): StatusSink | Promise<StatusSink>;
  cursors: StatusLogCursors;
  metrics: PublisherMetrics;
  log: PublisherLog;
}

/** Starts a publisher per configured one; `stop()` stops them all (what is unconfirmed goes again). */
export async function startStatusPublishers(o: StatusPublishersOptions): Promise<{ stop(): Promise<void> }> {
  const sinks: StatusSink[] = [];
  for (const c of o.publishers) sinks.push(await o.makeSink(c));
  const publishers = o.publishers.map((c, i) =>
    createStatusPublisher({
      name: c.name,
      owner: o.owner,
      sink: sinks[i] as StatusSink,
      cursors: o.cursors,
      filter: {
        statuses: c.events.map((e) => e.slice('delivery.'.length)),
        ...(c.services ? { services: c.services } : {}),
      },
      address: addressOf(c),
      batch: c.batch,
      pollMs: c.pollMs,
      startAt: c.startAt,
      // Long enough for a batch's confirms and a few retries; a dead worker's lease runs out then.
      leaseMs: Math.max(30_000, 3 * c.confirmTimeoutMs),
      metrics: o.metrics,
      log: o.log,
    }),
  );
  for (const p of publishers) p.start();
  return {
    async stop() {
      await Promise.all(publishers.map((p) => p.stop()));
    },
  };
}
