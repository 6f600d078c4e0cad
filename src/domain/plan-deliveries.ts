/**
 * Deciding and rendering one notification's deliveries for one recipient, once everything about the
 * recipient is loaded (app/plan-context.ts, app/plan-batch.ts, app/fanout.ts): no I/O. A channel that
 * cannot be sent becomes a `failed` or `suppressed` delivery with a reason, so every requested channel
 * is accounted for.
 */
import { v7 as uuidv7 } from 'uuid';
import { addressFor, suppressionKey, targetsFor, type Target } from './channels.ts';
import type { RenderSession, TemplateRenderer, Vars } from './templates.ts';
import type { NotificationToPlan, PlannedDelivery, Recipient } from './types.ts';
import { withUnsubscribe, type RecipientLinks } from './unsubscribe.ts';
import type { PlanContext } from './plan-context.ts';

/** The template variables whose values differ from one recipient to the next. */
export const RECIPIENT_VARS = ['recipient', 'preferences_url', 'unsubscribe_url'] as const;

export function templateVars(n: Pick<NotificationToPlan, 'data'>, r: Recipient): Vars {
  return {
    ...n.data,
    recipient: {
      ...r.attributes,
      id: r.id,
      email: r.email,
      phone: r.phone,
      locale: r.locale,
      timezone: r.timezone,
      attributes: r.attributes,
    },
  };
}

async function renderValue(
  value: unknown,
  vars: Vars,
  renderer: RenderSession,
  html: boolean,
): Promise<unknown> {
  if (typeof value === 'string') return renderer.render(value, vars, html ? 'html' : 'text');
  if (Array.isArray(value)) return Promise.all(value.map((v) => renderValue(v, vars, renderer, false)));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = await renderValue(v, vars, renderer, html && k === 'html');
    return out;
  }
  return value;
}

/** Renders each string in a channel's content; an email's `html` is rendered with HTML escaping. */
export async function renderContent(
  template: Record<string, unknown>,
  vars: Vars,
  renderer: RenderSession,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template))
    out[key] = await renderValue(value, vars, renderer, key === 'html');
  return out;
}

export async function planDeliveries(
  n: NotificationToPlan,
  recipient: Recipient | null,
  renderer: TemplateRenderer,
  newId: () => string = uuidv7,
  ctx?: PlanContext,
  /** `suppressionKey`s of the recipient's addresses on the service's suppression list. */
  suppressed: ReadonlySet<string> = new Set(),
): Promise<PlannedDelivery[]> {
  const planned: PlannedDelivery[] = [];
  // One budget for every channel and field rendered for this recipient, charged to the service.
  const session = renderer.session(n.serviceId);
  for (const channel of n.channels) {
    const base = { id: newId(), recipientId: n.recipientId, channel, content: {} };
    if (!recipient) {
      planned.push({ ...base, address: null, status: 'failed', reason: 'unknown_recipient' });
      continue;
    }
    const withDevices = ctx ? { ...recipient, devices: ctx.devices } : recipient;
    const decision = ctx?.decisions.get(channel) ?? { action: 'send' as const };
    if (decision.action === 'suppress') {
      // Decided before addresses: "opted out of SMS" explains more than "has no phone number".
      const address = addressFor(channel, withDevices, n.content[channel]);
      planned.push({ ...base, address, status: 'suppressed', reason: decision.reason });
      continue;
    }
    const targets = targetsFor(channel, withDevices, n.content[channel]);
    if (targets.length === 0) {
      planned.push({ ...base, address: null, status: 'failed', reason: 'recipient_missing_address' });
      continue;
    }
    const stored = n.content[channel] ? undefined : ctx?.templates.get(channel);
    const template = n.content[channel] ?? stored?.content;
    const templateRef = stored ? { locale: stored.locale, version: stored.version } : null;
    // Hard-bounced and complained addresses are not tried again (one delivery per listed target).
    const live = targets.filter((t) => !suppressed.has(suppressionKey(channel, t.address)));
    for (const t of targets) {
      if (live.includes(t)) continue;
      planned.push({
        ...base,
        id: newId(),
        target: t.target,
        address: t.address,
        status: 'suppressed',
        reason: 'address_suppressed',
      });
    }
    if (live.length === 0) continue;
    const first = live[0] as Target;
    if (!template) {
      planned.push({ ...base, address: first.address, status: 'failed', reason: 'missing_content' });
      continue;
    }
    let content: Record<string, unknown>;
    try {
      const vars = { ...templateVars(n, recipient), ...linkVars(ctx?.links ?? null) };
      content = await renderContent(template, vars, session);
      if (channel === 'email' && ctx?.links) content = withUnsubscribe(content, ctx.links);
      // An email has one target, so its delivery id is base.id.
      if (channel === 'email' && ctx?.track) content = ctx.track(content, base.id);
    } catch (err) {
      planned.push({
        ...base,
        address: first.address,
        status: 'failed',
        reason: 'template_render_error',
        errorMessage: (err as Error).message,
        template: templateRef,
      });
      continue;
    }
    const ttl = ctx?.type.ttlSeconds;
    if (
      decision.action === 'defer' &&
      ttl != null &&
      decision.until.getTime() > n.createdAt.getTime() + ttl * 1000
    ) {
      // Held past its time to live, the message would arrive stale; say so instead of sending it late.
      planned.push({ ...base, address: first.address, status: 'suppressed', reason: 'ttl_expired' });
      continue;
    }
    const timing =
      decision.action === 'defer'
        ? { status: 'deferred' as const, reason: decision.reason, notBefore: decision.until }
        : { status: 'queued' as const, reason: null };
    live.forEach((t, i) => {
      planned.push({
        ...base,
        id: i === 0 ? base.id : newId(),
        target: t.target,
        address: t.address,
        content,
        template: templateRef,
        ...timing,
      });
    });
  }
  return planned;
}

function linkVars(links: RecipientLinks | null): Vars {
  return links ? { preferences_url: links.preferencesUrl, unsubscribe_url: links.unsubscribeUrl } : {};
}
