/**
 * The sockets one API process holds, grouped by recipient. The database's event log is the truth;
 * the hub only decides when to read it. A wake-up (a bus message, or a new connection) marks the
 * recipient's group due; due groups are read together, one query for all of them, from the oldest
 * position among each group's connections, and each connection gets the events past its own
 * position. Wake-ups that arrive while a read is under way are gathered for the next one, so the
 * number of queries follows the database's speed, not the rate of notifications. A group is in one
 * read at a time and is read again if it was woken meanwhile, so every connection sees every event
 * once and in order however the wake-ups race.
 *
 * A wake-up may carry the events the writer just committed. A connection that stands right before
 * them (or within them) is sent them at once, with no read; when any connection of the group is
 * further behind (a lost message, a read still under way), the group is read as above. A connection
 * only ever moves forward from its own position, so pushed and read events never repeat or reorder.
 */
import type { InboxEvent } from '../domain/inbox.ts';
import type { InboxStore, RecipientRef } from '../ports/inbox.ts';

export interface HubConnection {
  /** The last event id this connection has been sent. */
  lastSeq: number;
  send(events: InboxEvent[]): void;
  /** The events after `lastSeq` are gone (retention): the client must reload its list. */
  reset(): void;
  heartbeat(): void;
  close(): void;
}

interface Group {
  key: string;
  ref: RecipientRef;
  conns: Set<HubConnection>;
  /** In a read now. */
  reading: boolean;
  /** Woken since its last read started: read it (again). */
  dirty: boolean;
}

export interface HubOptions {
  store: Pick<InboxStore, 'eventsSinceMany'>;
  heartbeatMs: number;
  onError(err: unknown, where: string): void;
  /** Events read per recipient per query; a recipient with more is read again right after. */
  batch?: number;
  /** Recipients per query. */
  maxRecipients?: number;
  /** Queries in flight at once (each takes a pooled connection). */
  concurrency?: number;
}

const keyOf = (r: RecipientRef) => `${r.serviceId}\u0000${r.recipientId}`;

/**
 * Heartbeats go out in this many slices spread over the interval: sending 10,000 at once blocks the
 * event loop long enough to delay real events behind it (measured: p99 near a second).
 */
const HEARTBEAT_SLICES = 10;

export class InboxHub {
  readonly #groups = new Map<string, Group>();
  /** Groups waiting for a read, oldest wake-up first. */
  readonly #due = new Set<Group>();
  readonly #opts: HubOptions;
  #timer: NodeJS.Timeout | undefined;
  #count = 0;
  #reads = 0;
  #scheduled = false;
  #closed = false;
  readonly #slices: Set<HubConnection>[] = Array.from({ length: HEARTBEAT_SLICES }, () => new Set());
  #nextSlice = 0;
  #tick = 0;

  constructor(opts: HubOptions) {
    this.#opts = opts;
  }

  get connections(): number {
    return this.#count;
  }

  /** One timer for every connection's heartbeat: per-socket timers would cost memory at 10k sockets. */
  start(): void {
    this.#timer ??= setInterval(() => {
      const slice = this.#slices[this.#tick++ % HEARTBEAT_SLICES];
      for (const c of slice ?? []) c.heartbeat();
    }, this.#opts.heartbeatMs / HEARTBEAT_SLICES);
    this.#timer.unref();
  }

  /** Registers a connection and catches it up from its `lastSeq`; returns its removal. */
  add(r: RecipientRef, conn: HubConnection): () => void {
    const key = keyOf(r);
    let g = this.#groups.get(key);
    if (!g) {
      g = { key, ref: r, conns: new Set(), reading: false, dirty: false };
      this.#groups.set(key, g);
    }
    g.conns.add(conn);
    const slice = this.#slices[this.#nextSlice++ % HEARTBEAT_SLICES];
    slice?.add(conn);
    this.#count += 1;
    this.#wakeGroup(g);
    return this.#remover(g, conn, slice);
  }

  /** Built outside `add` so the closure holds these three and nothing else of the caller's. */
  #remover(g: Group, conn: HubConnection, slice: Set<HubConnection> | undefined): () => void {
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      g.conns.delete(conn);
      slice?.delete(conn);
      this.#count -= 1;
      if (g.conns.size === 0) this.#forget(g);
    };
  }

  /** A group with no connection left goes, unless a read still holds it (which forgets it after). */
  #forget(g: Group): void {
    this.#due.delete(g);
    if (!g.reading && this.#groups.get(g.key) === g) this.#groups.delete(g.key);
  }

  /**
   * A recipient's inbox changed somewhere in the cluster; only groups held here do any work. With the
   * new events (numbered one after the other) the connections right before them get them without a
   * read.
   */
  wake(r: RecipientRef, events?: InboxEvent[]): void {
    const g = this.#groups.get(keyOf(r));
    if (!g || this.#closed) return;
    if (events && events.length > 0 && this.#push(g, events)) return;
    this.#wakeGroup(g);
  }

  /** Sends the events to the group's connections that stand right before them; false if one is further behind. */
  #push(g: Group, events: InboxEvent[]): boolean {
    const first = events[0]?.seq ?? 0;
    let behind = false;
    for (const c of g.conns) {
      if (c.lastSeq >= first - 1) deliverTo(c, events);
      else behind = true;
    }
    return !behind;
  }

  /** After the bus was down a while: look at every group, since some wake-ups may be lost. */
  wakeAll(): void {
    for (const g of this.#groups.values()) this.#wakeGroup(g);
  }

  #wakeGroup(g: Group): void {
    if (this.#closed) return;
    g.dirty = true;
    // A group being read goes back in line when its read ends (see #read).
    if (!g.reading) this.#due.add(g);
    this.#schedule();
  }

  /**
   * Starts reads at the end of this turn of the event loop, so that every recipient named by the bus
   * messages that arrived together goes into the same query.
   */
  #schedule(): void {
    if (this.#scheduled || this.#due.size === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#startReads();
    });
  }

  #startReads(): void {
    const concurrency = this.#opts.concurrency ?? 2;
    const max = this.#opts.maxRecipients ?? 1000;
    while (this.#reads < concurrency && this.#due.size > 0) {
      const batch: Group[] = [];
      for (const g of this.#due) {
        this.#due.delete(g);
        if (g.conns.size === 0) continue;
        batch.push(g);
        if (batch.length >= max) break;
      }
      if (batch.length === 0) return;
      this.#reads += 1;
      void this.#read(batch);
    }
  }

  async #read(batch: Group[]): Promise<void> {
    const limit = this.#opts.batch ?? 100;
    // The connections each read serves are the ones there now: one added meanwhile woke the group, so
    // it is served by the next read, from its own position (it may be behind this read's).
    const readers = batch.map((g) => {
      g.reading = true;
      g.dirty = false;
      return [...g.conns];
    });
    try {
      const results = await this.#opts.store.eventsSinceMany(
        batch.map((g, i) => ({
          ...g.ref,
          since: Math.min(...(readers[i] ?? []).map((c) => c.lastSeq)),
        })),
        limit,
      );
      batch.forEach((g, i) => {
        const events = results[i] ?? [];
        for (const c of readers[i] ?? []) if (g.conns.has(c)) deliverTo(c, events);
        // A full page may not be all: read this recipient again.
        if (events.length >= limit) g.dirty = true;
      });
    } catch (err) {
      this.#opts.onError(err, 'inbox hub');
      // The database hiccuped: try again shortly rather than leave these sockets behind.
      setTimeout(() => {
        for (const g of batch) if (this.#groups.get(g.key) === g) this.#wakeGroup(g);
      }, 1000).unref();
    } finally {
      for (const g of batch) {
        g.reading = false;
        if (g.conns.size === 0) this.#forget(g);
        else if (g.dirty) this.#due.add(g);
      }
      this.#reads -= 1;
      this.#startReads();
    }
  }

  close(): void {
    this.#closed = true;
    this.#due.clear();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const g of this.#groups.values()) for (const c of [...g.conns]) c.close();
  }
}

/** The events past the connection's position, after a reset when some it has not seen are gone. */
function deliverTo(c: HubConnection, events: InboxEvent[]): void {
  const first = events[0];
  const last = events.at(-1);
  if (!first || !last || last.seq <= c.lastSeq) return;
  if (c.lastSeq < first.seq - 1) c.reset();
  const fresh = c.lastSeq < first.seq ? events : events.filter((e) => e.seq > c.lastSeq);
  c.send(fresh);
  c.lastSeq = last.seq;
}
