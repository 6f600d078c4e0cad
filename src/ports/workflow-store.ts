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

/** A notification's decisions, to append to its timeline. */
export interface Timeline {
  notificationId: string;
  decisions: readonly StepDecision[];
}

/** A notification parked until `wakeAt`, to resume at `nextStep`. */
export interface Hold {
  n: NotificationToPlan;
  nextStep: number;
  wakeAt: Date;
  decisions: readonly StepDecision[];
}

/** A notification ended with one suppressed delivery per channel. */
export interface Suppression {
  n: NotificationToPlan;
  reason: string;
  decisions: readonly StepDecision[];
}

/** A notification counted in the throttle window of its (service, type, step, scope). */
export interface ThrottleHit {
  n: NotificationToPlan;
  step: number;
  scope: string;
  windowStart: Date;
  windowEnd: Date;
}

/** An escalation's next check: plan channel `stage` at `wakeAt` unless seen or read by then. */
export interface EscalationCheck {
  n: NotificationToPlan;
  step: number;
  stage: number;
  wakeAt: Date;
}

/**
 * Every write takes a planner batch's notifications at once (one transaction, a few statements);
 * those that end a notification's planning are guarded by the planner's lease.
 */
export interface WorkflowStore {
  /** Where a notification's steps resume (absent: at the first), and its escalation stage. */
  progress(notificationIds: readonly string[]): Promise<Map<string, RunProgress>>;
  /** Sets escalations' next checks. */
  escalateLater(checks: readonly EscalationCheck[]): Promise<void>;
  /** Appends decisions to notifications' timelines. */
  record(timelines: readonly Timeline[]): Promise<void>;
  /** Parks notifications this planner holds; answers the ids parked (absent: lease lost, or cancelled). */
  hold(owner: string, holds: readonly Hold[]): Promise<Set<string>>;
  /**
   * Counts notifications in their throttle windows (each once per step, however often it is planned):
   * each one's place, 1-based, by notification id. Within a batch, places follow the batch's order.
   */
  throttle(hits: readonly ThrottleHit[]): Promise<Map<string, number>>;
  /** Ends held notifications, suppressed; answers the ids ended (absent: lease lost, or cancelled). */
  suppress(owner: string, suppressions: readonly Suppression[]): Promise<Set<string>>;
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
