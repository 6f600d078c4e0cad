/**
 * Broker sources: each one pulls a bounded batch, reads every message as an event (by the source's
 * configuration), makes the batch durable in PostgreSQL through the same store `POST /v1/events`
 * uses, and only then acks it. A crash before the commit leaves the messages unacknowledged, so the
 * broker hands them out again and the event id keeps them to one event. A message no event can be
 * read from, or an id reused with another body, becomes a `dead` event (reason, first bytes) and is
 * acked, so it cannot block the stream. While the database does not answer, the runner keeps retrying
 * the batch it holds and pulls nothing more.
 */
import { createHash } from 'node:crypto';
import type { SourceConfig } from '../config-sources.ts';
import { readEvent, type ReadEvent, type ReadSpec } from '../domain/source-message.ts';
import type { EventSource, SourceMessage, SourceMetrics } from '../ports/event-source.ts';
import type { DeadEvent, DeadEventStore, EventStore, IncomingEvent } from '../ports/events.ts';
import { eventHash, type ArrivalExpander } from './events.ts';

export interface SourceLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SourceRunnerOptions {
  name: string;
  serviceId: string;
  source: EventSource;
  spec: ReadSpec;
  batch: number;
  maxRawBytes: number;
  events: EventStore;
  dead: DeadEventStore;
  metrics: SourceMetrics;
  log: SourceLog;
  /**
   * Expands the events under their rules before they are stored, so each is written once, finished,
   * with its notifications; without it (or for an event it could not expand) the events lane does.
   */
  expand?: ArrivalExpander;
  /** How long one pull waits for messages. */
  waitMs?: number;
  /** Longest pause between retries of a batch the database refused. */
  maxBackoffMs?: number;
  /** Batches stored at once, each in its own transaction (2): the next is pulled while one commits. */
  inFlight?: number;
}

export interface BatchOutcome {
  accepted: number;
  replayed: number;
  dead: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function deadId(source: string, m: SourceMessage, salt: string): string {
  const h = createHash('sha256').update(source).update('\0').update(m.address).update('\0').update(salt);
  h.update('\0').update(m.body);
  return `dead:${source}:${h.digest('hex').slice(0, 32)}`;
}

/**
 * Stores one batch: events (all or none, exactly once by id) and dead events. Throws when the
 * database does not answer; then nothing may be acked.
 */
export async function storeBatch(
  o: Pick<SourceRunnerOptions, 'name' | 'serviceId' | 'spec' | 'maxRawBytes' | 'events' | 'dead' | 'expand'>,
  messages: SourceMessage[],
): Promise<BatchOutcome> {
  const dead: DeadEvent[] = [];
  const toDead = (m: SourceMessage, name: string, reason: string, salt = '') =>
    dead.push({
      id: deadId(o.name, m, salt),
      name,
      source: o.name,
      reason,
      raw: m.body.subarray(0, o.maxRawBytes),
    });
  const good = new Map<string, { event: IncomingEvent; message: SourceMessage }>();
  // Copies within the batch, and ids the store had with this body already.
  let copies = 0;
  let stored = 0;
  for (const m of messages) {
    const read = readEvent(o.spec, m);
    if (!read.ok) {
      toDead(m, read.name, read.reason);
      continue;
    }
    const event = { ...incoming(read.event), source: o.name };
    const before = good.get(event.id);
    if (!before) good.set(event.id, { event, message: m });
    else if (before.event.requestHash === event.requestHash) copies++;
    else toDead(m, event.name, conflictReason(event.id), event.id);
  }
  if (o.expand && good.size > 0) {
    const expanded = await o.expand(
      o.serviceId,
      [...good.values()].map((g) => g.event),
    );
    for (const e of expanded) {
      const g = good.get(e.id);
      if (g) g.event = e;
    }
  }
  for (;;) {
    // In id order: batches stored at once then lock the ids they share in one order, never deadlock.
    const batch = [...good.values()]
      .map((g) => g.event)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (batch.length === 0) break;
    const result = await o.events.accept(o.serviceId, batch, { partial: true });
    if (result.ok) {
      stored = result.replayed.size;
      break;
    }
    // An id stored before with another body: that message is dead, the rest go in again.
    for (const id of result.conflicts) {
      const g = good.get(id);
      if (!g) continue;
      good.delete(id);
      toDead(g.message, g.event.name, conflictReason(id), id);
    }
  }
  await o.dead.recordDead(o.serviceId, dead);
  return { accepted: good.size - stored, replayed: copies + stored, dead: dead.length };
}

const conflictReason = (id: string) =>
  `event id '${id}' was already stored with a different name or payload (409 on POST /v1/events)`;

function incoming(e: ReadEvent): IncomingEvent {
  return { ...e, occurredAt: null, requestHash: eventHash(e) };
}

export interface SourceRunner {
  readonly name: string;
  start(): void;
  /** Resolves once the source has reached its broker (or was stopped before it could). */
  readonly started: Promise<void>;
  stop(): Promise<void>;
}

export function createSourceRunner(o: SourceRunnerOptions): SourceRunner {
  let stopped = false;
  let loop: Promise<void> | undefined;
  const waitMs = o.waitMs ?? 1000;
  const maxBackoff = o.maxBackoffMs ?? 5000;
  const inFlight = o.inFlight ?? 2;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));

  /** Stores one batch (retrying while the database refuses it), then acks it. */
  async function handle(messages: SourceMessage[]) {
    let outcome: BatchOutcome | undefined;
    for (let attempt = 0; !outcome; attempt++) {
      try {
        outcome = await storeBatch(o, messages);
      } catch (err) {
        o.metrics.sourceError(o.name, 'database');
        o.log.warn(
          { err, source: o.name, held: messages.length },
          'event source: the database did not take the batch; holding it and pulling nothing more',
        );
        // Unacknowledged, the broker hands these out again after a stop or a crash.
        if (stopped) return;
        await sleep(Math.min(maxBackoff, 100 * 2 ** attempt));
      }
    }
    try {
      await o.source.ack(messages);
    } catch (err) {
      // Durable already: the broker redelivers them and their ids keep them to one event each.
      o.metrics.sourceError(o.name, 'broker');
      o.log.warn({ err, source: o.name }, 'event source: ack failed; the messages will come again');
    }
    if (outcome.accepted) o.metrics.sourceMessages(o.name, 'accepted', outcome.accepted);
    if (outcome.replayed) o.metrics.sourceMessages(o.name, 'replayed', outcome.replayed);
    if (outcome.dead) {
      o.metrics.sourceMessages(o.name, 'dead', outcome.dead);
      o.log.warn({ source: o.name, dead: outcome.dead }, 'event source: messages kept as dead events');
    }
  }

  async function run() {
    let brokerFailures = 0;
    for (let up = false; !up && !stopped;) {
      try {
        await o.source.start();
        up = true;
        o.log.info({ source: o.name }, 'event source started');
      } catch (err) {
        o.metrics.sourceError(o.name, 'broker');
        o.log.warn({ err, source: o.name }, 'event source: cannot reach the broker; retrying');
        await sleep(Math.min(maxBackoff, 100 * 2 ** brokerFailures++));
      }
    }
    markStarted();
    brokerFailures = 0;
    // Batches being stored and acked. The next batch is pulled, and its store started, while the
    // ones before it commit, up to `inFlight` batches; then the loop waits for one to be acked. While
    // the database refuses, those batches are retried and nothing more is pulled.
    const busy = new Set<Promise<void>>();
    while (!stopped) {
      while (busy.size >= inFlight) await Promise.race(busy);
      if (stopped) break;
      let messages: SourceMessage[];
      try {
        messages = await o.source.pull(o.batch, waitMs);
        brokerFailures = 0;
      } catch (err) {
        o.metrics.sourceError(o.name, 'broker');
        o.log.warn({ err, source: o.name }, 'event source: pull failed; retrying');
        await sleep(Math.min(maxBackoff, 100 * 2 ** brokerFailures++));
        continue;
      }
      if (messages.length === 0) continue;
      const job: Promise<void> = handle(messages)
        .catch((err: unknown) => o.log.error({ err, source: o.name }, 'event source: batch failed'))
        .finally(() => busy.delete(job));
      busy.add(job);
    }
    await Promise.all(busy);
  }

  return {
    name: o.name,
    started,
    start() {
      o.metrics.sourceLag(o.name, () => o.source.lag());
      loop ??= run().catch((err: unknown) => o.log.error({ err, source: o.name }, 'event source stopped'));
    },
    async stop() {
      stopped = true;
      markStarted();
      await loop;
      await o.source.close().catch(() => undefined);
    },
  };
}

/** The read spec of a configured source. */
export function readSpecOf(c: SourceConfig): ReadSpec {
  return {
    eventName: c.eventName,
    eventId: c.eventId,
    ...(c.payload !== undefined ? { payload: c.payload } : {}),
  };
}

export interface EventSourcesOptions {
  sources: SourceConfig[];
  makeSource(c: SourceConfig): EventSource | Promise<EventSource>;
  events: EventStore;
  dead: DeadEventStore;
  metrics: SourceMetrics;
  log: SourceLog;
  /** Expansion on arrival (`expandOnArrival`); the events lane expands everything without it. */
  expand?: ArrivalExpander;
  /** True when the service exists; a source naming one that does not stops the start. */
  serviceExists(serviceId: string): Promise<boolean>;
}

/**
 * Starts a runner per configured source; `ready` resolves once every one has reached its broker;
 * `stop()` stops them all (what they hold stays unacked).
 */
export async function startEventSources(
  o: EventSourcesOptions,
): Promise<{ ready: Promise<void>; stop(): Promise<void> }> {
  for (const c of o.sources) {
    if (!(await o.serviceExists(c.service)))
      throw new Error(`Source '${c.name}': service ${c.service} does not exist.`);
  }
  const sources: EventSource[] = [];
  for (const c of o.sources) sources.push(await o.makeSource(c));
  const runners = o.sources.map((c, i) =>
    createSourceRunner({
      name: c.name,
      serviceId: c.service,
      source: sources[i] as EventSource,
      spec: readSpecOf(c),
      batch: c.batch,
      maxRawBytes: c.maxRawBytes,
      events: o.events,
      dead: o.dead,
      metrics: o.metrics,
      log: o.log,
      ...(o.expand ? { expand: o.expand } : {}),
    }),
  );
  for (const r of runners) r.start();
  return {
    ready: Promise.all(runners.map((r) => r.started)).then(() => undefined),
    async stop() {
      await Promise.all(runners.map((r) => r.stop()));
    },
  };
}
