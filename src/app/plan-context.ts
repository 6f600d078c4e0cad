/**
 * Everything the planner needs to know about one notification's recipient besides the recipient row:
 * the type's rules, the preference decision for each channel, the recipient's devices, the stored
 * templates in the recipient's locale, and the signed links for commercial mail. Loaded here (I/O),
 * decided by the pure functions in the domain.
 */
import type { Channel, DeviceAddress } from '../domain/channels.ts';
import { pickLocale } from '../domain/locales.ts';
import { DEFAULT_TYPE, trackingFor, type NotificationTypeDef } from '../domain/notification-types.ts';
import { withTracking, type TrackingUrls } from '../domain/tracking.ts';
import { decide, type Decision } from '../domain/preferences.ts';
import type { RecipientLinks } from '../domain/unsubscribe.ts';
import type { NotificationToPlan, Recipient } from '../domain/types.ts';
import type {
  DeviceStore,
  NotificationTypeStore,
  PreferenceStore,
  StoredTemplate,
  TemplateStore,
} from '../ports/preferences-store.ts';

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

const DAY_MS = 86_400_000;

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
  const def = type ?? { ...DEFAULT_TYPE, key: n.type };
  const decisions = decide({
    now,
    channels: n.channels,
    type: { key: def.key, category: def.category, kind: def.kind },
    priority: n.priority,
    timeZone: recipient.timezone,
    service: defaults,
    recipient: prefs ?? {},
    sentLastDay,
  });
  const links = def.kind === 'commercial' && deps.links ? await deps.links(n.serviceId, recipient.id) : null;
  const setting = trackingFor(def);
  const own = links ? [links.preferencesUrl, links.unsubscribeUrl] : [];
  const urls = deps.tracking;
  return {
    type: def,
    decisions,
    devices,
    templates: pickTemplates(templates, recipient.locale),
    links,
    ...(urls && (setting.opens || setting.clicks)
      ? { track: (content, id) => withTracking(content, id, setting, urls, (u) => own.includes(u)) }
      : {}),
  };
}
