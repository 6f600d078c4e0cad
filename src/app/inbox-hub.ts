/**
 * The sockets one API process holds, grouped by recipient. The database's event log is the truth;
 * the hub only decides when to read it. On a wake-up (a bus message, or a new connection) it "pumps"
 * the group: reads the events after the oldest position among the group's connections and gives each
 * connection the ones past its own position. One pump per group at a time, re-run while wake-ups
 * keep coming, so every connection sees every event once and in order however the wake-ups race.
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
  ref: RecipientRef;
  conns: Set<HubConnection>;
  pumping: boolean;
  dirty: boolean;
}

export interface HubOptions {
  store: Pick<InboxStore, 'eventsSince'>;
  heartbeatMs: number;
  onError(err: unknown, where: string): void;
  /** Events read per query while catching a group up. */
  batch?: number;
}

const keyOf = (r: RecipientRef) => `${r.serviceId}\u0000${r.recipientId}`;

/**
 * Heartbeats go out in this many slices spread over the interval: sending 10,000 at once blocks the
 * event loop long enough to delay real events behind it (measured: p99 near a second).
 */
const HEARTBEAT_SLICES = 10;

export class InboxHub {
  readonly #groups = new Map<string, Group>();
  readonly #opts: HubOptions;
  #timer: NodeJS.Timeout | undefined;
  #count = 0;
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
      g = { ref: r, conns: new Set(), pumping: false, dirty: false };
      this.#groups.set(key, g);
    }
    g.conns.add(conn);
    const slice = this.#slices[this.#nextSlice++ % HEARTBEAT_SLICES];
    slice?.add(conn);
    this.#count += 1;
    const group = g;
    void this.#pump(key, group);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      group.conns.delete(conn);
      slice?.delete(conn);
      this.#count -= 1;
      if (group.conns.size === 0 && !group.pumping && this.#groups.get(key) === group)
        this.#groups.delete(key);
    };
  }

  /** A recipient's inbox changed somewhere in the cluster; only groups held here do any work. */
  wake(r: RecipientRef): void {
    const key = keyOf(r);
    const g = this.#groups.get(key);
    if (g) void this.#pump(key, g);
  }

  /** After the bus was down a while: look at every group, since some wake-ups may be lost. */
  wakeAll(): void {
    for (const [key, g] of this.#groups) void this.#pump(key, g);
  }

  async #pump(key: string, g: Group): Promise<void> {
    g.dirty = true;
    if (g.pumping) return;
    g.pumping = true;
    const batch = this.#opts.batch ?? 500;
    try {
      while (g.dirty && g.conns.size > 0) {
        g.dirty = false;
        let since = Math.min(...[...g.conns].map((c) => c.lastSeq));
        for (;;) {
          const events = await this.#opts.store.eventsSince(g.ref, since, batch);
          const first = events[0];
          const last = events.at(-1);
          if (!first || !last) break;
          for (const c of g.conns) {
            if (c.lastSeq < first.seq - 1) c.reset();
            const fresh = c.lastSeq < first.seq ? events : events.filter((e) => e.seq > c.lastSeq);
            if (fresh.length > 0) c.send(fresh);
            c.lastSeq = Math.max(c.lastSeq, last.seq);
          }
          if (events.length < batch) break;
          since = last.seq;
        }
      }
    } catch (err) {
      this.#opts.onError(err, 'inbox hub');
      // The database hiccuped: try again shortly rather than leave these sockets behind.
      setTimeout(() => this.wake(g.ref), 1000).unref();
    } finally {
      g.pumping = false;
      if (g.conns.size === 0 && this.#groups.get(key) === g) this.#groups.delete(key);
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const g of this.#groups.values()) for (const c of [...g.conns]) c.close();
  }
}
