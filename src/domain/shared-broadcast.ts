/**
 * A broadcast whose message is the same for every recipient without preferences of their own: the
 * decision (send or suppress, with its reason) and the rendered content are then one per channel,
 * made here once, and the store writes those recipients' deliveries with one `INSERT … SELECT`
 * (addresses, the suppression list and the statuses in SQL). Recipients with preferences, uploaded
 * data of their own or no recipient row are still planned one by one by `planDeliveries`.
 *
 * It holds only where that gives exactly what `planDeliveries` would: channels whose address is a
 * column of the recipient (email, sms, in_app); no quiet hours and no frequency cap that could apply
 * to a recipient without preferences (those depend on the recipient's zone and history); no signed
 * links or tracking (per recipient and per delivery); templates that read nothing of the recipient,
 * and stored ones only in the default locale (any locale chain ends there). Otherwise: null, and the
 * whole broadcast is planned recipient by recipient as before.
 */
import type { Channel } from './channels.ts';
import { DEFAULT_TYPE, trackingFor, type NotificationTypeDef } from './notification-types.ts';
import { pickTemplates } from './plan-context.ts';
import { renderContent, RECIPIENT_VARS } from './plan-deliveries.ts';
import { decide, frequencyCap, type PreferenceSettings, type SuppressReason } from './preferences.ts';
import type { StoredTemplate, TemplateRenderer } from './templates.ts';
import type { TrackingUrls } from './tracking.ts';
import type { NotificationToPlan } from './types.ts';
import type { Audience } from './audience.ts';

/** Channels whose one address is a column of the recipient row. */
export const SHARED_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['email', 'sms', 'in_app']);

/** What every recipient without preferences gets on one channel. */
export interface SharedChannel {
  channel: Channel;
  /** The preference decision: null to send, else the suppression's reason. */
  suppress: SuppressReason | null;
  /** The rendered content; null when there is none (`missing_content`). */
  content: Record<string, unknown> | null;
  /** The stored template it was rendered from. */
  template: { locale: string; version: number } | null;
}

export interface SharedBroadcastInput {
  n: NotificationToPlan & { audience: Audience };
  /** The stored type, or null (the defaults apply). */
  type: NotificationTypeDef | null;
  defaults: PreferenceSettings;
  templates: StoredTemplate[];
  renderer: TemplateRenderer;
  /** Whether signed preference/unsubscribe links are made (a signing key is set up). */
  links: boolean;
  tracking: TrackingUrls | undefined;
  now: Date;
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** One plan per channel when the broadcast's message is shared (see above), else null. */
export async function sharedBroadcast(p: SharedBroadcastInput): Promise<SharedChannel[] | null> {
  const { n } = p;
  // An inline list is read from the notification, not from a table an INSERT … SELECT could join.
  if (n.audience.kind === 'recipients') return null;
  if (!n.channels.every((c) => SHARED_CHANNELS.has(c))) return null;
  const def = p.type ?? { ...DEFAULT_TYPE, key: n.type };
  if (def.kind === 'commercial' && p.links) return null;
  const setting = trackingFor(def);
  if (p.tracking && (setting.opens || setting.clicks) && n.channels.includes('email')) return null;
  const none = {};
  if (frequencyCap({ priority: n.priority, type: def, service: p.defaults, recipient: none }) !== null) {
    return null;
  }
  if (n.priority !== 'critical' && p.defaults.quietHours) return null;
  for (const t of p.templates) {
    if (n.channels.includes(t.channel) && !n.content[t.channel] && t.locale !== 'default') return null;
  }
  const decisions = decide({
    now: p.now,
    channels: n.channels,
    type: { key: def.key, category: def.category, kind: def.kind },
    priority: n.priority,
    timeZone: null,
    service: p.defaults,
    recipient: none,
    sentLastDay: 0,
  });
  const stored = pickTemplates(p.templates, null);
  const session = p.renderer.session(n.serviceId);
  const out: SharedChannel[] = [];
  for (const channel of n.channels) {
    const decision = decisions.get(channel);
    if (!decision || decision.action === 'defer') return null;
    if (decision.action === 'suppress') {
      out.push({ channel, suppress: decision.reason, content: null, template: null });
      continue;
    }
    const fromStore = n.content[channel] ? undefined : stored.get(channel);
    const template = n.content[channel] ?? fromStore?.content;
    const ref = fromStore ? { locale: fromStore.locale, version: fromStore.version } : null;
    if (!template) {
      out.push({ channel, suppress: null, content: null, template: ref });
      continue;
    }
    try {
      const reads = strings(template).flatMap((s) => p.renderer.variables(s));
      if (reads.some((v) => (RECIPIENT_VARS as readonly string[]).includes(v))) return null;
      // Nothing of the recipient is read, so their variables can be left out.
      const content = await renderContent(template, { ...n.data }, session);
      out.push({ channel, suppress: null, content, template: ref });
    } catch {
      // A template that does not parse or render fails per recipient, with its message, as before.
      return null;
    }
  }
  return out;
}
