import type { Channel } from './channels.ts';
import type { DeliveryState } from './delivery-states.ts';
import type { Audience } from './audience.ts';
import type { NotificationOutcome } from './notification-outcome.ts';
import type { StepOverrides } from './workflow-steps.ts';

export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** Lower claims first. */
export const PRIORITY_RANK: Readonly<Record<Priority, number>> = { critical: 0, high: 1, normal: 2, low: 3 };
export const priorityName = (rank: number): Priority => PRIORITIES[rank] ?? 'normal';

export interface NotificationType {
  key: string;
  description: string;
}

export interface Service {
  id: string;
  name: string;
  notificationTypes: NotificationType[];
  createdAt: Date;
}

export interface Recipient {
  id: string;
  email: string | null;
  phone: string | null;
  locale: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type RecipientFields = Partial<
  Pick<Recipient, 'email' | 'phone' | 'locale' | 'timezone' | 'attributes'>
>;

/** Per-channel content templates as the caller sent them; rendered per recipient by the planner. */
export type ContentTemplates = Partial<Record<Channel, Record<string, unknown>>>;

export interface NewNotification {
  id: string;
  serviceId: string;
  type: string;
  recipientId: string;
  channels: Channel[];
  data: Record<string, unknown>;
  content: ContentTemplates;
  priority: Priority;
  idempotencyKey: string | null;
  requestHash: string;
  /** A broadcast's audience; absent for one recipient (`recipientId`). */
  audience?: Audience | null;
  /** What this notification changes in its type's workflow steps (a digest key or window, a delay). */
  stepOverrides?: StepOverrides | null;
  /** A recipient given inline: written with the notification, only if the notification is. */
  inlineRecipient?: RecipientFields | undefined;
}

export interface NotificationToPlan extends NewNotification {
  createdAt: Date;
}

/** What the planner decided for one recipient × channel. */
export interface PlannedDelivery {
  id: string;
  recipientId: string;
  channel: Channel;
  address: string | null;
  status: Extract<DeliveryState, 'queued' | 'failed' | 'suppressed' | 'deferred'>;
  reason: string | null;
  errorMessage?: string;
  content: Record<string, unknown>;
  notBefore?: Date;
  /** Which of the recipient's devices, for channels that fan out per device ('' or absent otherwise). */
  target?: string;
  /** The stored template version the content was rendered from, when it came from one. */
  template?: { locale: string; version: number } | null;
}

/** A delivery a lane has claimed and holds a lease on. */
export interface ClaimedDelivery {
  id: string;
  notificationId: string;
  serviceId: string;
  recipientId: string;
  channel: Channel;
  address: string | null;
  /** The device id for push and web push ('' for single-address channels). */
  target: string;
  content: Record<string, unknown>;
  priority: number;
  /** Attempts including the one now starting. */
  attempts: number;
  createdAt: Date;
  /** When an operator last replayed it; its retry budget (attempts and age) restarts there. */
  replayedAt?: Date | null;
}

export interface AttemptRecord {
  attempt: number;
  provider: string | null;
  startedAt: Date;
  durationMs: number;
  outcome: 'sent' | 'transient' | 'rate_limited' | 'permanent' | 'lease_expired' | 'not_configured';
  errorCode: string | null;
  errorMessage: string | null;
  providerMessageId: string | null;
}

export interface DeliveryView {
  id: string;
  channel: string;
  recipient: string;
  address: string | null;
  status: DeliveryState;
  reason: string | null;
  provider: string | null;
  attempts: AttemptRecord[];
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
  /** The stored template version the content came from, when it came from one. */
  template?: { locale: string; version: number } | null;
}

export interface NotificationView {
  id: string;
  type: string;
  /** `waiting`: a workflow delay holds it until its time, or an escalation until its next check (its `steps` say when). */
  status: 'accepted' | 'waiting' | 'processing' | 'completed' | 'failed' | 'cancelled';
  /** Once `completed`: whether anything got through (see domain/notification-outcome.ts); else null. */
  outcome: NotificationOutcome | null;
  priority: Priority;
  recipient: string | null;
  channels: string[];
  idempotencyKey: string | null;
  planError: string | null;
  createdAt: Date;
  plannedAt: Date | null;
  deliveries: DeliveryView[];
  /** Broadcasts only: who it goes to and how far it got. */
  audience?: Audience | null;
  progress?: BroadcastProgress;
  cancelledAt?: Date | null;
}

export interface BroadcastProgress {
  /** Recipients planned so far, and how many the audience had when planning began (null before). */
  planned: number;
  total: number | null;
  /** Deliveries by status. */
  deliveries: Partial<Record<DeliveryState, number>>;
}
