/** Storage for workflow steps (domain/workflow-steps.ts): progress, waits, throttle counts, digests. */
import type { Channel } from '../domain/channels.ts';
import type { StepDecision } from '../domain/workflow-steps.ts';
import type { NotificationToPlan } from '../domain/types.ts';

export interface DigestItemView {
  notificationId: string;
  at: Date;
  data: Record<string, unknown>;
}

export interface DigestView {
  id: string;
  recipient: string;
  type: string;
  key: string;
  status: 'open' | 'closed';
  count: number;
  maxItems: number | null;
  openedAt: Date;
  closeAt: Date;
  closedAt: Date | null;
  messageId: string | null;
  items: DigestItemView[];
}

export interface RunProgress {
  nextStep: number;
  /** The escalation channel to plan next. */
  stage: number;
  /** A wait is still set (an escalation not yet due): planning again means the previous stage's planning was lost. */
  pending: boolean;
}

/** A held notification joining the open digest of its (service, recipient, type, step, key). */
export interface DigestJoin {
  n: NotificationToPlan;
  step: number;
  key: string;
  channels: Channel[];
  closeAt: Date;
  maxItems: number | null;
  now: Date;
  /** The notification's decisions so far; the last is the `digested` one, completed with the digest. */
  decisions: readonly StepDecision[];
}

export interface DigestJoined {
  digestId: string;
  /** The event's place in the digest, 1-based. */
  position: number;
  closed: boolean;
}

export interface WorkflowStore {
  /** Where a notification's steps resume (absent: at the first), and its escalation stage. */
  progress(notificationIds: readonly string[]): Promise<Map<string, RunProgress>>;
  /** Plans the escalation's `stage` channel at `wakeAt` unless the notification was seen or read by then. */
  escalateLater(n: NotificationToPlan, step: number, stage: number, wakeAt: Date): Promise<void>;
  /** Appends decisions to notifications' timelines. */
  record(notificationId: string, decisions: readonly StepDecision[]): Promise<void>;
  /** Parks a notification this planner holds until `wakeAt`; false when its lease was lost (or cancelled). */
  hold(
    n: NotificationToPlan,
    owner: string,
    nextStep: number,
    wakeAt: Date,
    decisions: readonly StepDecision[],
  ): Promise<boolean>;
  /** Counts this notification in its throttle window (once, however often it is planned): its place, 1-based. */
  throttle(
    n: NotificationToPlan,
    step: number,
    scope: string,
    windowStart: Date,
    windowEnd: Date,
  ): Promise<number>;
  /** Ends a held notification with one suppressed delivery per channel; false when its lease was lost. */
  suppress(
    n: NotificationToPlan,
    owner: string,
    reason: string,
    decisions: readonly StepDecision[],
  ): Promise<boolean>;
  /**
   * Adds held notifications, in one transaction, each to the open digest of its (service, recipient,
   * type, step, key), opening one if none is; each is then planned, with no deliveries of its own. A
   * digest that reaches `maxItems` is closed in the same transaction. Answers by notification id;
   * a notification whose lease was lost (or that was cancelled) is absent.
   */
  digest(owner: string, joins: readonly DigestJoin[]): Promise<Map<string, DigestJoined>>;
  /** Puts notifications whose wait ended back in the planner's queue; how many. */
  wakeDue(now: Date, limit: number): Promise<number>;
  /** Closes digests whose window ended: each becomes one notification carrying the digest; how many. */
  closeDue(now: Date, limit: number): Promise<number>;
  /**
   * Drops throttle counters whose window ended before `now`, and closed digests (with their items)
   * closed before `closedBefore` (null keeps them); at most `limit` of each. How many of each went.
   */
  prune(now: Date, closedBefore: Date | null, limit: number): Promise<{ counters: number; digests: number }>;
  /** Closes one open digest now; null when not found, the view (closed) otherwise. */
  release(serviceId: string, digestId: string, now: Date): Promise<DigestView | null>;
  view(serviceId: string, digestId: string): Promise<DigestView | null>;
  list(
    serviceId: string,
    filter: { recipient?: string; type?: string; status?: 'open' | 'closed' },
  ): Promise<DigestView[]>;
  timeline(notificationId: string): Promise<StepDecision[]>;
}
