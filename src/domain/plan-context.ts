/**
 * What the planner knows about one notification's recipient besides the recipient row: the type's
 * rules, the preference decision for each channel, the recipient's devices, the stored templates in
 * the recipient's locale, and the signed links for commercial mail. Decided here from what was loaded
 * (app/plan-context.ts loads one recipient's, app/plan-batch.ts and app/fanout.ts many at once).
 */
import type { Channel, DeviceAddress } from './channels.ts';
import { pickLocale } from './locales.ts';
import { DEFAULT_TYPE, trackingFor, type NotificationTypeDef } from './notification-types.ts';
import { withTracking, type TrackingUrls } from './tracking.ts';
import { decide, type Decision, type PreferenceSettings, type RecipientPreferences } from './preferences.ts';
import type { StoredTemplate } from './templates.ts';
import type { RecipientLinks } from './unsubscribe.ts';
import type { NotificationToPlan, Recipient } from './types.ts';

export interface PlanContext {
  type: NotificationTypeDef;
  decisions: Map<Channel, Decision>;
  devices: DeviceAddress[];
  /** The stored template each channel falls back to, already resolved to the recipient's locale. */
  templates: Map<Channel, StoredTemplate>;
  links: RecipientLinks | null;
  /** Adds open and click tracking to an email's content, when the type asks for it. */
  track?: (content: Record<string, unknown>, deliveryId: string) => Record<string, unknown>;
}

export const DAY_MS = 86_400_000;

export function pickTemplates(all: StoredTemplate[], locale: string | null): Map<Channel, StoredTemplate> {
  const byChannel = new Map<Channel, StoredTemplate[]>();
  for (const t of all) byChannel.set(t.channel, [...(byChannel.get(t.channel) ?? []), t]);
  const picked = new Map<Channel, StoredTemplate>();
  for (const [channel, list] of byChannel) {
    const chosen = pickLocale(
      locale,
      list.map((t) => t.locale),
    );
    const t = list.find((x) => x.locale === chosen);
    if (t) picked.set(channel, t);
  }
  return picked;
}

/** What one recipient's context is made of, however it was loaded (one at a time, or in batches). */
export interface ContextParts {
  now: Date;
  n: NotificationToPlan;
  recipient: Recipient;
  /** The stored type, or null for an unregistered one (the defaults apply). */
  type: NotificationTypeDef | null;
  defaults: PreferenceSettings;
  preferences: RecipientPreferences;
  devices: DeviceAddress[];
  templates: Map<Channel, StoredTemplate>;
  sentLastDay: number;
  links: RecipientLinks | null;
  tracking?: TrackingUrls | undefined;
}

/** Decides each channel and assembles the context; no I/O. */
export function contextFor(p: ContextParts): PlanContext {
  const def = p.type ?? { ...DEFAULT_TYPE, key: p.n.type };
  const decisions = decide({
    now: p.now,
    channels: p.n.channels,
    type: { key: def.key, category: def.category, kind: def.kind },
    priority: p.n.priority,
    timeZone: p.recipient.timezone,
    service: p.defaults,
    recipient: p.preferences,
    sentLastDay: p.sentLastDay,
  });
  const setting = trackingFor(def);
  const own = p.links ? [p.links.preferencesUrl, p.links.unsubscribeUrl] : [];
  const urls = p.tracking;
  return {
    type: def,
    decisions,
    devices: p.devices,
    templates: p.templates,
    links: p.links,
    ...(urls && (setting.opens || setting.clicks)
      ? { track: (content, id) => withTracking(content, id, setting, urls, (u) => own.includes(u)) }
      : {}),
  };
}
