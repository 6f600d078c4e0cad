/** Storage for who broadcasts go to: topics, uploaded audiences, and the planner's batched reads. */
import type { Audience, AudienceLine } from '../domain/audience.ts';
import type { DeviceAddress } from '../domain/channels.ts';
import type { RecipientPreferences } from '../domain/preferences.ts';
import type { NotificationToPlan, PlannedDelivery, Recipient } from '../domain/types.ts';
import type { SharedChannel } from '../domain/shared-broadcast.ts';

export interface TopicStore {
  /** Adds subscriptions of existing recipients; ids this service has no recipient for are returned. */
  subscribe(serviceId: string, topic: string, recipientIds: string[]): Promise<{ unknown: string[] }>;
  unsubscribe(serviceId: string, topic: string, recipientIds: string[]): Promise<number>;
  /** Subscribers in id order after `after` (the previous page's last id). */
  list(
    serviceId: string,
    topic: string,
    after: string | null,
    limit: number,
  ): Promise<{ id: string; subscribedAt: Date }[]>;
}

export interface AudienceInfo {
  id: string;
  size: number;
  createdAt: Date;
}

export interface AudienceStore {
  /**
   * Stores every line as a new audience: all of it, or (on a bad line, a failed stream) none. Lines
   * are staged as they come and committed in one short write once the last has arrived; a staged
   * audience is invisible (`get`, `exists`) until then.
   */
  upload(serviceId: string, id: string, lines: AsyncIterable<AudienceLine>): Promise<AudienceInfo>;
  /** Deletes audiences whose upload started before `olderThan` and never finished (a crash); how many. */
  dropAbandoned(olderThan: Date): Promise<number>;
  exists(serviceId: string, id: string): Promise<boolean>;
  get(serviceId: string, id: string): Promise<AudienceInfo | null>;
}

/** One recipient of a broadcast batch: the row (null when no such recipient) and any uploaded data. */
export interface BatchMember {
  id: string;
  recipient: Recipient | null;
  preferences: RecipientPreferences;
  data: Record<string, unknown> | null;
}

export interface BroadcastStart {
  cursor: string | null;
  planned: number;
  total: number;
}

/**
 * A batch of a shared-message broadcast (domain/shared-broadcast.ts): the members a shared plan
 * cannot stand for (preferences of their own, uploaded data, no recipient row), read in full; the
 * others only counted.
 */
export interface SharedBatch {
  /** The batch's last member id, the cursor once it is written. */
  last: string;
  /** Members in the batch, all of them. */
  members: number;
  /** The members planned one by one. */
  own: BatchMember[];
}

/**
 * A shared batch's members changed between its read and its write (preferences set, a recipient
 * deleted): nothing of the batch was written, and it must be read again.
 */
export class MembersChanged extends Error {
  constructor() {
    super('broadcast members changed since their batch was read');
  }
}

export interface FanoutStore {
  /** Counts the audience the first time (kept for progress) and returns where planning stopped. */
  begin(n: NotificationToPlan & { audience: Audience }, owner: string): Promise<BroadcastStart | null>;
  /** Up to `limit` members after `cursor`, in the order the cursor follows. */
  nextBatch(
    n: NotificationToPlan & { audience: Audience },
    cursor: string | null,
    limit: number,
  ): Promise<BatchMember[]>;
  /**
   * Up to `limit` members after `cursor` as a shared batch; null when none are left. Inline lists
   * (`recipients`) have no shared batches.
   */
  nextSharedBatch?(
    n: NotificationToPlan & { audience: Audience },
    cursor: string | null,
    limit: number,
  ): Promise<SharedBatch | null>;
  /** The service's recipients with these ids, in the order given (`recipient: null` for unknown ones). */
  members(serviceId: string, recipientIds: string[]): Promise<BatchMember[]>;
  devices(serviceId: string, recipientIds: string[]): Promise<Map<string, DeviceAddress[]>>;
  /** Per recipient: distinct notifications in the window, not counting `exclude` (the frequency cap). */
  countRecent(
    serviceId: string,
    recipientIds: string[],
    since: Date,
    exclude: string,
  ): Promise<Map<string, number>>;
  /**
   * In one transaction: writes the batch's deliveries (idempotently), moves the cursor from `from` to
   * `cursor`, adds `members` to the planned count and renews the lease. False when the lease was lost,
   * the notification was cancelled or the cursor is no longer at `from` meanwhile; then nothing was
   * written. Batches may be written concurrently: the cursor moves only after `after` (the previous
   * batch's write) resolved true, and this one rolls back when it did not.
   */
  writeBatch(
    n: NotificationToPlan,
    owner: string,
    batch: {
      from: string | null;
      cursor: string;
      members: number;
      deliveries: PlannedDelivery[];
      /**
       * A shared batch: the members after `from` up to `cursor`, except those in `deliveries`
       * (`own`), get `plan`'s deliveries, written by one INSERT … SELECT in the same transaction.
       */
      shared?: { audience: Audience; plan: SharedChannel[]; own: string[] };
    },
    leaseMs: number,
    after?: Promise<boolean>,
  ): Promise<boolean>;
  /** Gives the broadcast back (this process is stopping): another planner resumes it at once. */
  pause(notificationId: string, owner: string): Promise<void>;
  /** Marks the broadcast planned. */
  finish(notificationId: string, owner: string): Promise<void>;
}

export interface NotificationCanceller {
  /**
   * Stops what has not been sent: planning stops at its next batch, and deliveries not yet tried
   * (pending, queued, deferred) end `cancelled`. Those being sent finish. Null when there is no such
   * notification for this service; cancelling twice is harmless.
   */
  cancel(serviceId: string, id: string): Promise<{ cancelledDeliveries: number } | null>;
}
