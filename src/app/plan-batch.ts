/**
 * Planning one-recipient notifications in batches. Loading a recipient's context one notification at a
 * time costs about a dozen queries each, and that, not sending, bounded delivery throughput. Here a
 * batch costs a handful per service whatever its size: recipients with their preferences, devices,
 * recent counts and suppressed addresses for all of them, types and templates once per type. Each
 * notification is then decided and rendered by the same `contextFor` and `planDeliveries` as before.
 *
 * Notifications are planned in the order claimed (oldest first), and a recipient's frequency cap counts
 * the notifications planned earlier in the same batch, so a burst to one recipient is capped as if the
 * notifications had been planned one after another.
 */
import { uuidv7Source } from './batch-ids.ts';
import type { Channel } from '../domain/channels.ts';
import type { TemplateRenderer } from '../domain/templates.ts';
import type { TrackingUrls } from '../domain/tracking.ts';
import type { NotificationToPlan, PlannedDelivery } from '../domain/types.ts';
import type { RecipientLinks } from '../domain/unsubscribe.ts';
import type { FanoutStore } from '../ports/audience-store.ts';
import type { NotificationTypeStore, PreferenceStore, TemplateStore } from '../ports/preferences-store.ts';
import type { SuppressionList } from '../ports/receipts.ts';
import { contextFor, DAY_MS, pickTemplates } from '../domain/plan-context.ts';
import { planDeliveries } from '../domain/plan-deliveries.ts';
import { linksFor, suppressedAmong } from './plan-context.ts';
import { DEFAULT_TYPE } from '../domain/notification-types.ts';
import { frequencyCap } from '../domain/preferences.ts';

/** Delivery ids: random bytes drawn 4 KiB at a time, not a system call per id (batch-ids.ts). */
const newId = uuidv7Source();

export interface BatchPlanDeps {
  store: Pick<FanoutStore, 'members' | 'devices' | 'countRecent'>;
  types: NotificationTypeStore;
  templates: TemplateStore;
  preferences: Pick<PreferenceStore, 'serviceDefaults'>;
  suppressions?: SuppressionList;
  renderer: TemplateRenderer;
  links?: (serviceId: string, recipientId: string) => Promise<RecipientLinks>;
  tracking?: TrackingUrls;
  now: () => Date;
}

export interface PlannedNotification {
  n: NotificationToPlan;
  deliveries: PlannedDelivery[];
}

/** No notification has this id: a batch has no deliveries yet, so there is nothing of its own to leave out. */
const NONE = '00000000-0000-0000-0000-000000000000';
/** Planned statuses the frequency cap counts (as `countRecent` does: not suppressed, not failed). */
const COUNTED = new Set(['queued', 'deferred']);
const wantsDevices = (channels: readonly Channel[]) => channels.some((c) => c === 'push' || c === 'web_push');

export async function planBatch(
  deps: BatchPlanDeps,
  ns: NotificationToPlan[],
): Promise<PlannedNotification[]> {
  const byService = new Map<string, NotificationToPlan[]>();
  for (const n of ns) byService.set(n.serviceId, [...(byService.get(n.serviceId) ?? []), n]);
  const out: PlannedNotification[] = [];
  for (const [serviceId, group] of byService) out.push(...(await planForService(deps, serviceId, group)));
  return out;
}

async function planForService(
  deps: BatchPlanDeps,
  serviceId: string,
  group: NotificationToPlan[],
): Promise<PlannedNotification[]> {
  const ids = [...new Set(group.map((n) => n.recipientId))];
  const typeKeys = [...new Set(group.map((n) => n.type))];
  const now = deps.now();
  const [members, devices, defaults, types] = await Promise.all([
    deps.store.members(serviceId, ids),
    group.some((n) => wantsDevices(n.channels))
      ? deps.store.devices(serviceId, ids)
      : Promise.resolve(new Map<string, never[]>()),
    deps.preferences.serviceDefaults(serviceId),
    Promise.all(
      typeKeys.map(
        async (key) =>
          [
            key,
            await Promise.all([deps.types.get(serviceId, key), deps.templates.latest(serviceId, key)]),
          ] as const,
      ),
    ).then((entries) => new Map(entries)),
  ]);
  const byId = new Map(members.map((m) => [m.id, m]));
  const devicesOf = (id: string) => devices.get(id) ?? [];
  // Counting a recipient's last 24 hours is the costliest read of a batch (it grows with their
  // history), and only a frequency cap needs it: transactional types, critical notifications and
  // recipients with no limit are not counted.
  const capped = new Set<string>();
  for (const n of group) {
    const member = byId.get(n.recipientId);
    if (!member?.recipient) continue;
    const type = types.get(n.type)?.[0] ?? { ...DEFAULT_TYPE, key: n.type };
    const cap = frequencyCap({
      priority: n.priority,
      type,
      service: defaults,
      recipient: member.preferences,
    });
    if (cap !== null) capped.add(n.recipientId);
  }
  const recent =
    capped.size > 0
      ? await deps.store.countRecent(serviceId, [...capped], new Date(now.getTime() - DAY_MS), NONE)
      : new Map<string, number>();

  const suppressed = await suppressedAmong(
    deps.suppressions,
    serviceId,
    group.flatMap((n) => {
      const recipient = byId.get(n.recipientId)?.recipient;
      return recipient ? [{ recipient, devices: devicesOf(recipient.id), channels: n.channels }] : [];
    }),
  );

  const sentLastDay = new Map(recent);
  const out: PlannedNotification[] = [];
  for (const n of group) {
    const member = byId.get(n.recipientId);
    const recipient = member?.recipient ?? null;
    const [type, templates] = types.get(n.type) ?? [null, []];
    const ctx = recipient
      ? contextFor({
          now,
          n,
          recipient,
          type,
          defaults,
          preferences: member?.preferences ?? {},
          devices: devicesOf(recipient.id),
          templates: pickTemplates(templates, recipient.locale),
          sentLastDay: sentLastDay.get(recipient.id) ?? 0,
          links: await linksFor(deps, type, serviceId, recipient.id),
          tracking: deps.tracking,
        })
      : undefined;
    const deliveries = await planDeliveries(n, recipient, deps.renderer, newId, ctx, suppressed);
    if (recipient && deliveries.some((d) => COUNTED.has(d.status))) {
      sentLastDay.set(recipient.id, (sentLastDay.get(recipient.id) ?? 0) + 1);
    }
    out.push({ n, deliveries });
  }
  return out;
}
