/**
 * Planning turns one accepted notification into its deliveries: resolve the recipient, apply their
 * preferences (send, defer to the end of quiet hours, or suppress with a reason), pick each channel's
 * addresses (one delivery per device for push), render the content for that recipient. A channel that
 * cannot be sent becomes a `failed` or `suppressed` delivery with a reason, so every requested channel
 * is accounted for.
 */
import { v7 as uuidv7 } from 'uuid';
import { addressFor, targetsFor, type Target } from '../domain/channels.ts';
import type { RenderSession, TemplateRenderer, Vars } from '../domain/templates.ts';
import type { NotificationToPlan, PlannedDelivery, Recipient } from '../domain/types.ts';
import type { PlanQueue, RecipientStore } from '../ports/store.ts';
import { suppressionKey, type SuppressionList } from '../ports/receipts.ts';
import { withUnsubscribe, type RecipientLinks } from '../domain/unsubscribe.ts';
import { suppressedAmong, type PlanContext } from './plan-context.ts';
import type { LogIds } from './work-loop.ts';
import { WorkLoop } from './work-loop.ts';
import type { Audience } from '../domain/audience.ts';
import type { PlannedNotification } from './plan-batch.ts';

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

export interface PlannerOptions {
  owner: string;
  queue: PlanQueue;
  recipients: RecipientStore;
  renderer: TemplateRenderer;
  leaseMs: number;
  pollMs: number;
  concurrency: number;
  /** Hard-bounced and complained addresses; none when absent. */
  suppressions?: SuppressionList;
  onError(err: unknown, where: string, ids?: LogIds): void;
  /** Preferences, devices and stored templates for a recipient; without it every channel is sent as asked. */
  context?: (n: NotificationToPlan, recipient: Recipient) => Promise<PlanContext>;
  /** Plans a notification with an audience (see fanout.ts); it marks the notification planned itself. */
  broadcast?: (n: NotificationToPlan & { audience: Audience }, owner: string) => Promise<unknown>;
  /**
   * Plans many one-recipient notifications with a few queries (see plan-batch.ts). Without it, or when
   * a batch fails, each is planned on its own with `context`.
   */
  batch?: (ns: NotificationToPlan[]) => Promise<PlannedNotification[]>;
  /** Most one-recipient notifications per batch (default 128). */
  batchSize?: number;
  /**
   * Runs the types' workflow steps (see workflow-runner.ts) first; answers the notifications that go on
   * to be planned here, having ended the others' planning itself (waiting, throttled, digested).
   */
  steps?: (ns: NotificationToPlan[], owner: string) => Promise<NotificationToPlan[]>;
}

/** Fewest one-recipient notifications a claim is split into per slot (see `claim` below). */
const MIN_SHARE = 16;

/** What a planner slot works on: one broadcast, or a batch of one-recipient notifications. */
type PlanItem =
  | { kind: 'broadcast'; n: NotificationToPlan & { audience: Audience } }
  | { kind: 'singles'; ns: NotificationToPlan[] };

const notificationsOf = (items: PlanItem[]) => items.flatMap((i) => (i.kind === 'broadcast' ? [i.n] : i.ns));

export function createPlanner(o: PlannerOptions): WorkLoop<PlanItem> {
  // Broadcasts claimed and not yet finished; at most concurrency − 1, so one slot is always left for
  // one-recipient notifications however many big broadcasts are waiting.
  let broadcasts = 0;
  const maxBroadcasts = Math.max(1, o.concurrency - 1);
  const perBatch = o.batch ? Math.max(1, o.batchSize ?? 128) : 1;

  /** The one-at-a-time path: a notification whose planning throws ends `failed` with the reason. */
  async function planOne(n: NotificationToPlan): Promise<void> {
    const recipient = await o.recipients.get(n.serviceId, n.recipientId);
    let deliveries: PlannedDelivery[];
    try {
      const ctx = recipient && o.context ? await o.context(n, recipient) : undefined;
      const suppressed = await suppressedAmong(
        o.suppressions,
        n.serviceId,
        recipient ? [{ recipient, devices: ctx?.devices ?? [], channels: n.channels }] : [],
      );
      deliveries = await planDeliveries(n, recipient, o.renderer, uuidv7, ctx, suppressed);
    } catch (err) {
      await o.queue.fail(n.id, o.owner, `planning failed: ${(err as Error).message}`);
      throw err;
    }
    await o.queue.complete(n, o.owner, deliveries);
  }

  async function planSingles(claimed: NotificationToPlan[]): Promise<void> {
    const ns = o.steps ? await o.steps(claimed, o.owner) : claimed;
    if (ns.length === 0) return;
    if (o.batch) {
      let planned: PlannedNotification[] | undefined;
      try {
        planned = await o.batch(ns);
      } catch (err) {
        // One bad notification must not fail its neighbours: plan each on its own instead.
        o.onError(err, 'planner: batch', { notificationId: ns[0]?.id });
      }
      if (planned) return o.queue.completeMany(o.owner, planned);
    }
    for (const n of ns) {
      await planOne(n).catch((err: unknown) => o.onError(err, 'planner: handle', { notificationId: n.id }));
    }
  }

  return new WorkLoop<PlanItem>({
    name: 'planner',
    concurrency: o.concurrency,
    batchSize: o.concurrency * 2,
    pollMs: o.pollMs,
    async claim(limit) {
      const room = o.broadcast ? Math.max(0, maxBroadcasts - broadcasts) : 0;
      const claimed = await o.queue.claim(o.owner, limit * perBatch, o.leaseMs, {
        broadcasts: Math.min(limit, room),
      });
      const items: PlanItem[] = [];
      const singles: NotificationToPlan[] = [];
      for (const n of claimed) {
        if (n.audience && o.broadcast) items.push({ kind: 'broadcast', n: { ...n, audience: n.audience } });
        else singles.push(n);
      }
      broadcasts += items.length;
      // One-recipient notifications first: they take a moment each, broadcasts minutes. A backlog
      // goes in batches of `perBatch` (each batch costs a few reads and one write whatever its size);
      // a small claim is shared between the slots, so it is planned in parallel, but not in batches
      // smaller than `MIN_SHARE`: under a steady trickle, batches of one or two cost the database
      // three statements per notification, and its round trips, not planning, were the wait.
      const share = Math.max(Math.min(MIN_SHARE, perBatch), Math.ceil(singles.length / o.concurrency));
      const size = Math.min(perBatch, share);
      const batches: PlanItem[] = [];
      for (let i = 0; i < singles.length; i += size) {
        batches.push({ kind: 'singles', ns: singles.slice(i, i + size) });
      }
      return [...batches, ...items];
    },
    async handle(item) {
      if (item.kind === 'singles') return planSingles(item.ns);
      try {
        await o.broadcast?.(item.n, o.owner);
      } catch (err) {
        // Left leased: another planner resumes from the stored cursor when the lease runs out.
        o.onError(err, 'planner: broadcast');
      } finally {
        broadcasts--;
      }
    },
    release: (items) => {
      broadcasts -= items.filter((i) => i.kind === 'broadcast').length;
      return o.queue.release(o.owner);
    },
    onError: (err, where, item) =>
      o.onError(err, where, item ? { notificationId: notificationsOf([item])[0]?.id } : undefined),
  });
}
