/** Storage, split by role so each use case sees only what it needs. */
import type { Channel } from '../domain/channels.ts';
import type {
  AttemptRecord,
  ClaimedDelivery,
  NewNotification,
  NotificationToPlan,
  NotificationType,
  NotificationView,
  PlannedDelivery,
  Recipient,
  RecipientFields,
  Service,
} from '../domain/types.ts';

export interface ServiceStore {
  create(service: { id: string; name: string; types: NotificationType[] }, key: NewKeyRow): Promise<Service>;
  get(serviceId: string): Promise<Service | null>;
  hasType(serviceId: string, typeKey: string): Promise<boolean>;
}

export interface NewKeyRow {
  id: string;
  publicId: string;
  secretHash: string;
  label: string | null;
}

export interface ApiKeyInfo {
  id: string;
  publicId: string;
  label: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface ApiKeyStore {
  /** The key row for authentication: its service and hash, or null. */
  findByPublicId(
    publicId: string,
  ): Promise<{ serviceId: string; secretHash: string; revoked: boolean } | null>;
  create(serviceId: string, key: NewKeyRow): Promise<ApiKeyInfo>;
  list(serviceId: string): Promise<ApiKeyInfo[]>;
  revoke(serviceId: string, keyId: string): Promise<boolean>;
}

export interface RecipientStore {
  upsert(
    serviceId: string,
    id: string,
    fields: RecipientFields,
  ): Promise<{ recipient: Recipient; created: boolean }>;
  get(serviceId: string, id: string): Promise<Recipient | null>;
}

export type AcceptResult =
  { created: true; id: string } | { created: false; id: string; requestHash: string };

export interface NotificationStore {
  /** Durably records the notification and wakes the planner, in one transaction. */
  accept(notification: NewNotification): Promise<AcceptResult>;
  /**
   * Many at once, in one transaction with one wake-up; a result per notification in the order given.
   * A later notification with the same idempotency key as an earlier one in the set replays it.
   */
  acceptMany(notifications: readonly NewNotification[]): Promise<AcceptResult[]>;
  view(serviceId: string, id: string): Promise<NotificationView | null>;
}

export interface PlanQueue {
  /**
   * Up to `limit` one-recipient notifications and, beside them, up to `broadcasts` broadcasts (all
   * the limit when left out). Broadcasts plan for minutes; capping them keeps a planner slot free.
   */
  claim(
    owner: string,
    limit: number,
    leaseMs: number,
    opts?: { broadcasts?: number },
  ): Promise<NotificationToPlan[]>;
  /** Writes the deliveries (idempotently), marks the notification planned, wakes the lanes. */
  complete(notification: NotificationToPlan, owner: string, deliveries: PlannedDelivery[]): Promise<void>;
  /**
   * `complete` for many notifications in one transaction; those whose lease was lost get nothing.
   * With `handoff`, up to `take` queued deliveries per channel are written already leased to `owner`
   * (as a claim leaves them) and returned, for the owner's own lanes to send without a claim.
   */
  completeMany(
    owner: string,
    planned: readonly { n: NotificationToPlan; deliveries: PlannedDelivery[] }[],
    handoff?: PlanHandoff,
  ): Promise<ClaimedDelivery[]>;
  /** Planning hit a fault that retrying will not fix; the notification ends `failed` with the reason. */
  fail(notificationId: string, owner: string, error: string): Promise<void>;
  release(owner: string): Promise<void>;
}

/** Deliveries the planner hands to its own lanes as it writes them (see `PlanQueue.completeMany`). */
export interface PlanHandoff {
  leaseMs: number;
  /** At most this many queued deliveries per channel. */
  take: ReadonlyMap<Channel, number>;
}

export interface DeliveryQueue {
  /** Claims due deliveries, sharing `limit` between services by `weights` (service id → weight, 1 if unset). */
  claim(
    channel: Channel,
    owner: string,
    limit: number,
    leaseMs: number,
    weights?: Readonly<Record<string, number>>,
  ): Promise<ClaimedDelivery[]>;
  /** Ends the attempt in the given state; false when the lease was lost meanwhile. */
  settle(
    delivery: ClaimedDelivery,
    owner: string,
    outcome: Settlement,
    attempt: AttemptRecord,
  ): Promise<boolean>;
  /**
   * Ends many attempts in one round trip. Per row, as `settle`: the state moves only while `owner`
   * holds the lease, the attempt is recorded either way; the answer says, in input order, which
   * leases were still held.
   */
  settleMany(owner: string, items: readonly SettleItem[]): Promise<boolean[]>;
  /** Puts claimed but unstarted deliveries back, as if never claimed (graceful drain). */
  release(ids: string[], owner: string): Promise<void>;
  /**
   * Puts a claimed delivery back to wait `delayMs` without using up its attempt (no provider could
   * take it: breakers open, or the rate limit is spent). False when the lease was lost meanwhile.
   */
  postpone(delivery: ClaimedDelivery, owner: string, delayMs: number, reason: string): Promise<boolean>;
  /** `postpone` for many, in one round trip; which leases were still held, in input order. */
  postponeMany(owner: string, items: readonly PostponeItem[]): Promise<boolean[]>;
  /**
   * Returns deliveries whose lease expired to the queue, recording the lost attempt; past their
   * channel's attempt limit (`perChannel`, else `maxAttempts`) they go `dead`.
   */
  reclaimExpired(maxAttempts: number, perChannel?: Readonly<Record<string, number>>): Promise<number>;
}

/** Deliveries deferred by quiet hours, released to their lane when their time comes. */
export interface DeferredQueue {
  /** Moves deferred deliveries whose time has come to `queued`; returns the channels touched. */
  releaseDue(limit: number): Promise<Channel[]>;
}

export interface PostponeItem {
  delivery: ClaimedDelivery;
  delayMs: number;
  reason: string;
}

export interface SettleItem {
  delivery: ClaimedDelivery;
  outcome: Settlement;
  attempt: AttemptRecord;
}

export type Settlement =
  | { status: 'sent'; provider: string; providerMessageId: string | null }
  | { status: 'queued'; delayMs: number; reason: string }
  | { status: 'failed' | 'dead'; reason: string };

export interface CapturedMessage {
  id: string;
  deliveryId: string;
  channel: string;
  to: string;
  content: Record<string, unknown>;
  createdAt: Date;
}

export interface OutboxStore {
  capture(serviceId: string, message: Omit<CapturedMessage, 'id' | 'createdAt'>): Promise<string>;
  list(serviceId: string, limit: number): Promise<CapturedMessage[]>;
}

/**
 * Opening the embedded store fails with this when another live process holds its data folder; the
 * message says which, and is all the command line prints.
 */
export class DataDirLockedError extends Error {
  readonly pid: number | undefined;
  constructor(dir: string, pid: number | undefined) {
    super(
      `The data folder ${dir} is in use by ${pid ? `process ${pid}` : 'another process'}. Stop it first, or set HERALD_DATA_DIR to another folder.`,
    );
    this.name = 'DataDirLockedError';
    this.pid = pid;
  }
}
