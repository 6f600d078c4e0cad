/** The inbox's storage and its realtime bus. The store owns ordering; the bus only says "look". */
import type {
  ActionPatch,
  InboxCounts,
  InboxDraft,
  InboxEvent,
  InboxFilter,
  InboxItem,
} from '../domain/inbox.ts';

export interface RecipientRef {
  serviceId: string;
  recipientId: string;
}

/** Where a reader stands in a recipient's event log: the last event id it has. */
export interface InboxPosition extends RecipientRef {
  since: number;
}

/**
 * "This recipient's inbox changed", and, when the writer has them, the events it wrote (numbered,
 * oldest first): a subscriber whose reader stands right before them sends them on without reading.
 */
export interface InboxAnnouncement extends RecipientRef {
  events?: InboxEvent[];
}

export interface InboxDelivery extends RecipientRef {
  notificationId: string;
  deliveryId: string;
  draft: InboxDraft;
}

export interface InboxStore {
  /**
   * Stores the item (once per delivery: a re-sent delivery finds its item and writes nothing), replaces
   * unread items with the same collapse key, drops expired ones, and records the events; one transaction.
   */
  deliver(d: InboxDelivery, now: Date): Promise<{ itemId: string; lastSeq: number; created: boolean }>;
  /**
   * `deliver` for many deliveries at once, results in their order: distinct recipients share one
   * transaction and a fixed number of statements (a recipient named k times is in k such
   * transactions, one after the other); each item and event is what `deliver` would write, and a
   * created item may come with the events written for it (`events`). When it throws, some of those
   * transactions may have committed.
   */
  deliverMany(
    ds: InboxDelivery[],
    now: Date,
  ): Promise<{ itemId: string; lastSeq: number; created: boolean; events?: InboxEvent[] }[]>;
  list(r: RecipientRef, filter: InboxFilter, now: Date): Promise<InboxItem[]>;
  counts(r: RecipientRef, now: Date): Promise<InboxCounts>;
  /** Patches one of the recipient's items; null when it has no such item. */
  update(r: RecipientRef, itemId: string, patch: ActionPatch, now: Date): Promise<InboxItem | null>;
  /** Marks every live item read (or seen); returns how many changed. */
  markAll(r: RecipientRef, what: 'read' | 'seen', now: Date): Promise<number>;
  /** Events after `since`, oldest first. */
  eventsSince(r: RecipientRef, since: number, limit: number): Promise<InboxEvent[]>;
  /**
   * `eventsSince` for many recipients in one read: for each position, up to `limit` of its
   * recipient's events after its `since`, oldest first; results in the positions' order.
   */
  eventsSinceMany(positions: InboxPosition[], limit: number): Promise<InboxEvent[][]>;
  /** The recipient's newest event id (0 when none). */
  lastSeq(r: RecipientRef): Promise<number>;
}

export interface InboxSecretStore {
  get(serviceId: string): Promise<{ secret: string; rotatedAt: Date } | null>;
  set(serviceId: string, secret: string): Promise<Date>;
}

export interface TicketStore {
  /** Stores a ticket and sweeps the ones expired by `now`. */
  issue(hash: string, r: RecipientRef, expiresAt: Date, now: Date): Promise<void>;
  /** Takes the ticket if it exists and has not expired; a second use finds nothing. */
  consume(hash: string, now: Date): Promise<RecipientRef | null>;
}

/**
 * Carries "this recipient's inbox changed" between processes: the worker that wrote an item publishes,
 * every API process hears it and pulls the new events for the sockets it holds. An announcement may
 * carry the events themselves (those that fit the transport's message size), so the hub can skip the
 * read; the event log stays the truth, and a lost message costs latency, never an event.
 */
export interface InboxBus {
  readonly name: string;
  publish(r: RecipientRef): Promise<void>;
  /** One message for many recipients (as few as the transport's size limit allows). */
  publishMany(refs: InboxAnnouncement[]): Promise<void>;
  subscribe(onChange: (r: RecipientRef, events?: InboxEvent[]) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
