/**
 * Everything the planner needs to know about one notification's recipient besides the recipient row:
 * the type's rules, the preference decision for each channel, the recipient's devices, the stored
 * templates in the recipient's locale, and the signed links for commercial mail. Loaded here (I/O),
 * decided by the pure functions in the domain.
 */
import { addressFor, type Channel, type DeviceAddress } from '../domain/channels.ts';
import { pickLocale } from '../domain/locales.ts';
import { DEFAULT_TYPE, trackingFor, type NotificationTypeDef } from '../domain/notification-types.ts';
import { withTracking, type TrackingUrls } from '../domain/tracking.ts';
import {
  decide,
  type Decision,
  type PreferenceSettings,
  type RecipientPreferences,
} from '../domain/preferences.ts';
import type { RecipientLinks } from '../domain/unsubscribe.ts';
import type { NotificationToPlan, Recipient } from '../domain/types.ts';
import type {
  DeviceStore,
  NotificationTypeStore,
  PreferenceStore,
  StoredTemplate,
  TemplateStore,
} from '../ports/preferences-store.ts';
import type { SuppressionList } from '../ports/receipts.ts';

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

export interface PlanContextDeps {
  types: NotificationTypeStore;
  templates: TemplateStore;
  devices: DeviceStore;
  preferences: PreferenceStore;
  now: () => Date;
  /** Signed preference/unsubscribe links for a recipient; absent when no signing key is set up. */
  links?: (serviceId: string, recipientId: string) => Promise<RecipientLinks>;
  /** Open pixel and click redirect URLs; without them nothing is tracked. */
  tracking?: TrackingUrls;
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

/**
 * Which of the recipients' addresses are on the service's suppression list, as `suppressionKey`s: one
 * address per requested channel each (the first device for push), checked in one query.
 */
export async function suppressedAmong(
  list: SuppressionList | undefined,
  serviceId: string,
  wanted: Iterable<{ recipient: Recipient; devices: readonly DeviceAddress[]; channels: readonly Channel[] }>,
): Promise<Set<string>> {
  const entries: { channel: Channel; address: string }[] = [];
  for (const w of wanted) {
    const withDevices = { ...w.recipient, devices: w.devices };
    for (const channel of w.channels) {
      const address = addressFor(channel, withDevices);
      if (address !== null) entries.push({ channel, address });
    }
  }
  return list && entries.length > 0 ? list.suppressed(serviceId, entries) : new Set();
}

/** Signed links only for commercial types: transactional mail carries no unsubscribe. */
export async function linksFor(
  deps: Pick<PlanContextDeps, 'links'>,
  type: NotificationTypeDef | null,
  serviceId: string,
  recipientId: string,
): Promise<RecipientLinks | null> {
  const kind = (type ?? DEFAULT_TYPE).kind;
  return kind === 'commercial' && deps.links ? deps.links(serviceId, recipientId) : null;
}

export async function loadPlanContext(
  deps: PlanContextDeps,
  n: NotificationToPlan,
  recipient: Recipient,
): Promise<PlanContext> {
  const now = deps.now();
  const [type, prefs, defaults, devices, templates, sentLastDay] = await Promise.all([
    deps.types.get(n.serviceId, n.type),
    deps.preferences.get(n.serviceId, recipient.id),
    deps.preferences.serviceDefaults(n.serviceId),
    deps.devices.list(n.serviceId, recipient.id),
    deps.templates.latest(n.serviceId, n.type),
    deps.preferences.countRecent(n.serviceId, recipient.id, new Date(now.getTime() - DAY_MS), n.id),
  ]);
  return contextFor({
    now,
    n,
    recipient,
    type,
    defaults,
    preferences: prefs ?? {},
    devices,
    templates: pickTemplates(templates, recipient.locale),
    sentLastDay,
    links: await linksFor(deps, type, n.serviceId, recipient.id),
    tracking: deps.tracking,
  });
}
