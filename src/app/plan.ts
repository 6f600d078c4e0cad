/**
 * Planning turns one accepted notification into its deliveries: resolve the recipient, pick each
 * channel's address, render the content for that recipient. A channel that cannot be sent becomes a
 * `failed` delivery with a reason, so every requested channel is accounted for.
 */
import { v7 as uuidv7 } from 'uuid';
import { addressFor } from '../domain/channels.ts';
import type { TemplateRenderer, Vars } from '../domain/templates.ts';
import type { NotificationToPlan, PlannedDelivery, Recipient } from '../domain/types.ts';
import type { PlanQueue, RecipientStore } from '../ports/store.ts';
import { WorkLoop } from './work-loop.ts';

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
  renderer: TemplateRenderer,
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
  renderer: TemplateRenderer,
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
): Promise<PlannedDelivery[]> {
  const planned: PlannedDelivery[] = [];
  for (const channel of n.channels) {
    const base = { id: newId(), recipientId: n.recipientId, channel, content: {} };
    if (!recipient) {
      planned.push({ ...base, address: null, status: 'failed', reason: 'unknown_recipient' });
      continue;
    }
    const address = addressFor(channel, recipient, n.content[channel]);
    if (address === null) {
      planned.push({ ...base, address, status: 'failed', reason: 'recipient_missing_address' });
      continue;
    }
    const template = n.content[channel];
    if (!template) {
      planned.push({ ...base, address, status: 'failed', reason: 'missing_content' });
      continue;
    }
    try {
      const content = await renderContent(template, templateVars(n, recipient), renderer);
      planned.push({ ...base, address, content, status: 'queued', reason: null });
    } catch (err) {
      planned.push({
        ...base,
        address,
        status: 'failed',
        reason: 'template_render_error',
        errorMessage: (err as Error).message,
      });
    }
  }
  return planned;
}

export interface PlannerOptions {
  owner: string;
  queue: PlanQueue;
  recipients: RecipientStore;
  renderer: TemplateRenderer;
  leaseMs: number;
  pollMs: number;
  concurrency: number;
  onError(err: unknown, where: string): void;
}

export function createPlanner(o: PlannerOptions): WorkLoop<NotificationToPlan> {
  return new WorkLoop<NotificationToPlan>({
    name: 'planner',
    concurrency: o.concurrency,
    batchSize: o.concurrency * 2,
    pollMs: o.pollMs,
    claim: (limit) => o.queue.claim(o.owner, limit, o.leaseMs),
    async handle(n) {
      const recipient = await o.recipients.get(n.serviceId, n.recipientId);
      let deliveries: PlannedDelivery[];
      try {
        deliveries = await planDeliveries(n, recipient, o.renderer);
      } catch (err) {
        await o.queue.fail(n.id, o.owner, `planning failed: ${(err as Error).message}`);
        throw err;
      }
      await o.queue.complete(n, o.owner, deliveries);
    },
    release: () => o.queue.release(o.owner),
    onError: (err, where) => o.onError(err, where),
  });
}
