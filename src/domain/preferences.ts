/**
 * Whether a recipient gets a notification on a channel: one pure function, `decide`, returning
 * per channel `send`, `defer` (until a time) or `suppress` (with a reason code that the delivery keeps).
 *
 * The rules, in the order they are applied:
 *   1. unsubscribed     a recipient who used one-click unsubscribe gets no `commercial` type, on any
 *                       channel. Transactional messages (receipts, password resets) still go.
 *   2. channel_opt_out  the channel is switched off globally. Nothing bypasses this, not `critical`:
 *                       "never text me" must hold even for a security alert.
 *   3. preference_opt_out / category_opt_out
 *                       a per-type or per-category switch for the channel. The recipient's own choice
 *                       wins over the service's default; at one level, the type beats its category.
 *   4. frequency_cap    the recipient already had `frequencyLimit` notifications in the last 24 hours
 *                       (a rolling day, so no time zone can make the cap reset twice). Everything counts,
 *                       but only `commercial` types are held back, and never `critical` ones: a cap is
 *                       against fatigue, and must not swallow a receipt, a password reset or an alert.
 *   5. quiet_hours      inside the recipient's quiet window (their IANA zone), non-critical messages
 *                       are deferred to the end of the window. `critical` is sent at once.
 * Settings absent from the recipient fall back to the service's defaults, then to "allowed".
 */
import type { Channel } from './channels.ts';
import { quietWindowEnd, type QuietWindow } from './local-time.ts';
import type { Priority } from './types.ts';

export const SUPPRESS_REASONS = [
  'unsubscribed',
  'channel_opt_out',
  'preference_opt_out',
  'category_opt_out',
  'frequency_cap',
] as const;
export type SuppressReason = (typeof SUPPRESS_REASONS)[number];

export type ChannelSwitches = Partial<Record<Channel, boolean>>;

/** One set of settings: what a service sets as defaults, or what a recipient chose. */
export interface PreferenceSettings {
  channels?: ChannelSwitches;
  types?: Record<string, ChannelSwitches>;
  categories?: Record<string, ChannelSwitches>;
  /** `null` turns quiet hours off even when the service has a default window. */
  quietHours?: QuietWindow | null;
  /** Notifications per rolling 24 hours; `null` means no cap even when the service sets one. */
  frequencyLimit?: number | null;
}

export interface RecipientPreferences extends PreferenceSettings {
  /** Set by one-click unsubscribe (RFC 8058) or the preference page; stops commercial types. */
  unsubscribed?: boolean;
}

export type TypeKind = 'transactional' | 'commercial';

export interface DecisionInput {
  now: Date;
  channels: readonly Channel[];
  type: { key: string; category: string | null; kind: TypeKind };
  priority: Priority;
  /** The recipient's IANA zone; UTC when unknown. */
  timeZone: string | null;
  service: PreferenceSettings;
  recipient: RecipientPreferences;
  /** Notifications this recipient already had in the 24 hours before `now`. */
  sentLastDay: number;
}

export type Decision =
  | { action: 'send' }
  | { action: 'defer'; until: Date; reason: 'quiet_hours' }
  | { action: 'suppress'; reason: SuppressReason };

const SEND: Decision = { action: 'send' };

/** The first defined switch wins, in order; undefined when nobody said anything. */
function firstSwitch(
  channel: Channel,
  layers: { switches: ChannelSwitches | undefined; reason: SuppressReason }[],
): { allowed: boolean; reason: SuppressReason } | undefined {
  for (const layer of layers) {
    const value = layer.switches?.[channel];
    if (typeof value === 'boolean') return { allowed: value, reason: layer.reason };
  }
  return undefined;
}

/**
 * The per-type or per-category switch that governs a channel for a type, or undefined when nobody set
 * one: the recipient's type, their category, the service's type, the service's category.
 */
export function typeSwitch(
  service: PreferenceSettings,
  recipient: PreferenceSettings,
  type: { key: string; category: string | null },
  channel: Channel,
): { allowed: boolean; reason: SuppressReason } | undefined {
  const category = type.category;
  return firstSwitch(channel, [
    { switches: recipient.types?.[type.key], reason: 'preference_opt_out' },
    {
      switches: category === null ? undefined : recipient.categories?.[category],
      reason: 'category_opt_out',
    },
    { switches: service.types?.[type.key], reason: 'preference_opt_out' },
    { switches: category === null ? undefined : service.categories?.[category], reason: 'category_opt_out' },
  ]);
}

/** Whether the channel is on globally for the recipient (their switch, else the service's, else on). */
export function channelOn(
  service: PreferenceSettings,
  recipient: PreferenceSettings,
  channel: Channel,
): boolean {
  return recipient.channels?.[channel] ?? service.channels?.[channel] ?? true;
}

/**
 * The frequency cap that applies to this notification for this recipient, or null when none does:
 * only commercial types below `critical` are capped, by the recipient's limit, else the service's.
 * A planner needs `sentLastDay` only when this is not null.
 */
export function frequencyCap(
  input: Pick<DecisionInput, 'priority' | 'type' | 'service' | 'recipient'>,
): number | null {
  if (input.priority === 'critical' || input.type.kind !== 'commercial') return null;
  const r = input.recipient;
  const limit = r.frequencyLimit !== undefined ? r.frequencyLimit : input.service.frequencyLimit;
  return typeof limit === 'number' ? limit : null;
}

function decideChannel(input: DecisionInput, channel: Channel): Decision {
  const { recipient: r, service: s, type } = input;
  if (r.unsubscribed && type.kind === 'commercial') return { action: 'suppress', reason: 'unsubscribed' };

  if (!channelOn(s, r, channel)) return { action: 'suppress', reason: 'channel_opt_out' };

  const specific = typeSwitch(s, r, type, channel);
  if (specific && !specific.allowed) return { action: 'suppress', reason: specific.reason };

  const critical = input.priority === 'critical';
  const limit = frequencyCap(input);
  if (limit !== null && input.sentLastDay >= limit) {
    return { action: 'suppress', reason: 'frequency_cap' };
  }

  const window = r.quietHours !== undefined ? r.quietHours : s.quietHours;
  if (!critical && window) {
    const until = quietWindowEnd(input.now, input.timeZone ?? 'UTC', window);
    if (until) return { action: 'defer', until, reason: 'quiet_hours' };
  }
  return SEND;
}

/** The decision for every requested channel. */
export function decide(input: DecisionInput): Map<Channel, Decision> {
  return new Map(input.channels.map((c) => [c, decideChannel(input, c)]));
}

/** Applies a PATCH: keys present replace, nested switch maps merge, `null` clears a type or category. */
export function mergePreferences(
  current: RecipientPreferences,
  patch: RecipientPreferencesPatch,
): RecipientPreferences {
  const next: RecipientPreferences = structuredClone(current);
  if (patch.channels) next.channels = { ...next.channels, ...patch.channels };
  for (const field of ['types', 'categories'] as const) {
    const incoming = patch[field];
    if (!incoming) continue;
    const merged: Record<string, ChannelSwitches> = { ...next[field] };
    for (const [key, switches] of Object.entries(incoming)) {
      if (switches === null) delete merged[key];
      else merged[key] = { ...merged[key], ...switches };
    }
    next[field] = merged;
  }
  if (patch.quietHours !== undefined) next.quietHours = patch.quietHours;
  if (patch.frequencyLimit !== undefined) next.frequencyLimit = patch.frequencyLimit;
  if (patch.unsubscribed !== undefined) next.unsubscribed = patch.unsubscribed;
  return next;
}

export interface RecipientPreferencesPatch {
  channels?: ChannelSwitches;
  types?: Record<string, ChannelSwitches | null>;
  categories?: Record<string, ChannelSwitches | null>;
  quietHours?: QuietWindow | null;
  frequencyLimit?: number | null;
  unsubscribed?: boolean;
}
