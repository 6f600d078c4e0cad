/** Trigger rules and the events they expand: what the events use cases need from storage. */
import type { Channel } from '../domain/channels.ts';
import type { Audience } from '../domain/audience.ts';
import type { EventInput, RuleNotification, TriggerRule } from '../domain/trigger-rules.ts';
import type { Priority } from '../domain/types.ts';

export interface StoredRule extends TriggerRule {
  createdAt: Date;
  updatedAt: Date;
}

export interface TriggerRuleStore {
  /** Saves the rule for (service, event); `created` is false when it replaced one. */
  put(
    serviceId: string,
    event: string,
    notifications: RuleNotification[],
  ): Promise<{ rule: StoredRule; created: boolean }>;
  get(serviceId: string, event: string): Promise<StoredRule | null>;
  /** Rules in event-name order, a page after `cursor`. */
  list(serviceId: string, cursor: string | null, limit: number): Promise<StoredRule[]>;
  delete(serviceId: string, event: string): Promise<boolean>;
}

export interface IncomingEvent extends EventInput {
  requestHash: string;
  /** The broker source it came from; absent for `POST /v1/events`. */
  source?: string;
  /**
   * What the event becomes under its rule, worked out as it arrived: stored with it (the event
   * finished, its notifications inserted in the same statement). Absent: stored `pending`, for the
   * events lane.
   */
  expanded?: Expanded;
}

/** An event's outcome under its rule, before anything is written. */
export interface Expanded {
  status: 'processed' | 'unmatched';
  notifications: EventNotification[];
  skipped: EventOutcomeEntry[];
}

/** An event as the worker claimed it. */
export interface ClaimedEvent extends EventInput {
  serviceId: string;
}

/** What one rule notification became, as recorded on the event. */
export interface EventOutcomeEntry {
  index: number;
  type: string;
  status: 'created' | 'skipped';
  reason?: string;
  notificationId?: string;
}

/** A notification to write for an event: its idempotency key is derived from (event id, index). */
export interface EventNotification {
  /** Chosen by the use case, as an accepted notification's is; a run again chooses another. */
  id: string;
  index: number;
  type: string;
  audience: Audience;
  channels: Channel[];
  priority: Priority;
  data: Record<string, unknown>;
}

/** What the worker made of one claimed event, ready to be written. */
export interface EventResult {
  event: ClaimedEvent;
  status: 'processed' | 'unmatched';
  notifications: EventNotification[];
  skipped: EventOutcomeEntry[];
}

export type EventStatus = 'pending' | 'processing' | 'processed' | 'unmatched' | 'dead';

export interface EventView {
  id: string;
  name: string;
  payload: Record<string, unknown>;
  occurredAt: Date | null;
  /** A leased event is still `pending` to its sender. */
  status: Exclude<EventStatus, 'processing'>;
  receivedAt: Date;
  processedAt: Date | null;
  outcome: EventOutcomeEntry[] | null;
  /** Why a `dead` event could not be read from its message. */
  error: string | null;
  /** The broker source it came from; null for `POST /v1/events`. */
  source: string | null;
}

export interface EventStore {
  /**
   * Stores the events all together, or none: an id seen before with another body is a conflict, and
   * then nothing is written. `replayed` marks ids already stored with this body. With `partial`, the
   * store may save the others beside a conflict it finds only as it writes (an id another writer
   * stored meanwhile), for a caller that stores the rest again without the conflicts anyway (a broker
   * source); in exchange it writes without a transaction of its own.
   */
  accept(
    serviceId: string,
    events: IncomingEvent[],
    options?: { partial?: boolean },
  ): Promise<{ ok: true; replayed: Set<string> } | { ok: false; conflicts: string[] }>;
  /** Pending events, and ones whose worker lost its lease, oldest first, leased to `owner`. */
  claim(owner: string, limit: number, leaseMs: number): Promise<ClaimedEvent[]>;
  /**
   * One transaction: the notifications are inserted (a re-run inserts none: their idempotency keys
   * exist), the outcome is recorded and the event finished. False when `owner` no longer holds it.
   */
  complete(
    owner: string,
    event: ClaimedEvent,
    status: 'processed' | 'unmatched',
    notifications: EventNotification[],
    skipped: EventOutcomeEntry[],
  ): Promise<boolean>;
  /**
   * `complete` for a batch, in one transaction: every notification of the batch in one insert, the
   * events finished in one statement, one wake of the planner. Events `owner` no longer holds are
   * left out entirely; the answer is the ids of the events it finished.
   */
  completeMany(owner: string, results: EventResult[]): Promise<Set<string>>;
  release(owner: string, events: ClaimedEvent[]): Promise<void>;
  view(serviceId: string, id: string): Promise<EventView | null>;
}

/** A broker message no event could be read from (unparseable, or an id reused with another body). */
export interface DeadEvent {
  id: string;
  /** The event name when it could be read, '' otherwise. */
  name: string;
  source: string;
  reason: string;
  /** The message's first bytes (size-capped by the caller). */
  raw: Uint8Array;
}

export interface DeadEventStore {
  /** Stores them as `dead` events; an id already stored is left as it is. */
  recordDead(serviceId: string, events: DeadEvent[]): Promise<void>;
}
