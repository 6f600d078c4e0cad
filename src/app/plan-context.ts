/**
 * Everything the planner needs to know about one notification's recipient besides the recipient row:
 * the type's rules, the preference decision for each channel, the recipient's devices, the stored
 * templates in the recipient's locale, and the signed links for commercial mail. Loaded here (I/O),
 * decided by the pure functions in domain/plan-context.ts.
 */
import { addressFor, type Channel, type DeviceAddress } from '../domain/channels.ts';
import { DEFAULT_TYPE, type NotificationTypeDef } from '../domain/notification-types.ts';
import { contextFor, DAY_MS, pickTemplates, type PlanContext } from '../domain/plan-context.ts';
import type { TrackingUrls } from '../domain/tracking.ts';
import type { RecipientLinks } from '../domain/unsubscribe.ts';
import type { NotificationToPlan, Recipient } from '../domain/types.ts';
import type {
  DeviceStore,
  NotificationTypeStore,
  PreferenceStore,
  TemplateStore,
} from '../ports/preferences-store.ts';
import type { SuppressionList } from '../ports/receipts.ts';

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
