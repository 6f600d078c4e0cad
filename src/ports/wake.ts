/**
 * The wake topics: the payloads sent on Herald's wake channel (`herald_wake`, PostgreSQL
 * LISTEN/NOTIFY) so that a sleeping loop claims again at once instead of at its next poll.
 * This is the one place that names them; the worker's router (app/wake-router.ts) maps each to the
 * loop it wakes, and every NOTIFY in the store adapters sends one of these.
 *
 * Migrations 0008-operate and 0010-write-path send `'status-webhooks'` from a trigger, as a plain
 * string in SQL: migrations are never edited, so that string must stay as it is here.
 */
import type { Channel } from '../domain/channels.ts';

export const WAKE_PLAN = 'plan';
export const WAKE_EVENTS = 'events';
export const WAKE_STATUS_WEBHOOKS = 'status-webhooks';
/** Every process drops its cached API keys, types and templates. */
export const WAKE_METADATA = 'metadata';

export type LaneTopic = `lane:${Channel}`;

export type WakeTopic =
  typeof WAKE_PLAN | typeof WAKE_EVENTS | typeof WAKE_STATUS_WEBHOOKS | typeof WAKE_METADATA | LaneTopic;

/** The topic that wakes a channel's dispatch lane. */
export function laneTopic(channel: Channel): LaneTopic {
  return `lane:${channel}`;
}
