/**
 * Planning a broadcast: the audience is read in batches in recipient-id order; each batch costs a
 * handful of queries whatever its size (members with their preferences, devices, recent counts of
 * the members a frequency cap applies to, suppressed addresses), is decided and rendered per
 * recipient by the same `planDeliveries` as a single notification, and is written with the cursor in
 * one transaction. The next batch is read while one is rendered and written. Memory holds a few
 * batches.
 */
import type { Audience } from '../domain/audience.ts';
import { sharedRenders } from '../domain/templates.ts';

import type { NotificationToPlan, PlannedDelivery } from '../domain/types.ts';
import { MembersChanged, type BatchMember, type FanoutStore } from '../ports/audience-store.ts';
import { sharedBroadcast } from '../domain/shared-broadcast.ts';
import { DEFAULT_TYPE } from '../domain/notification-types.ts';
import { frequencyCap } from '../domain/preferences.ts';
import { contextFor, DAY_MS, pickTemplates, type PlanContext } from '../domain/plan-context.ts';
import { planDeliveries, RECIPIENT_VARS } from '../domain/plan-deliveries.ts';
import { linksFor, suppressedAmong } from './plan-context.ts';
import type { BatchPlanDeps } from './plan-batch.ts';
import { uuidv7Source } from './batch-ids.ts';

export interface BroadcastDeps extends BatchPlanDeps {
  store: FanoutStore;
  batchSize: number;
  leaseMs: number;
  /** Batches written at once (default 2): one inserts while the one before it commits. */
  writesInFlight?: number;
  /** Told after each committed batch (progress logs, tests). */
  onBatch?: (n: NotificationToPlan, planned: number, total: number) => void;
  onResume?: (n: NotificationToPlan, cursor: string, planned: number) => void;
  /** True once the process is stopping: the broadcast is handed back between batches. */
  stopping?: () => boolean;
  /**
   * Whether a broadcast whose message is the same for every recipient without preferences writes
   * those recipients' deliveries set-based (domain/shared-broadcast.ts); default true.
   */
  setBased?: boolean;
}

interface Loaded {
  /** The batch's last member (the cursor once written) and how many members it has. */
  last: string;
  members: number;
  /** The members planned here, one by one: all of them, or in a shared batch those with their own. */
  batch: BatchMember[];
  contexts: Map<string, PlanContext>;
  suppressed: Set<string>;
}

export type BroadcastOutcome = 'planned' | 'stopped';

export async function planBroadcast(
  deps: BroadcastDeps,
  n: NotificationToPlan & { audience: Audience },
  owner: string,
): Promise<BroadcastOutcome> {
  const start = await deps.store.begin(n, owner);
  if (!start) return 'stopped';
  if (start.cursor !== null) deps.onResume?.(n, start.cursor, start.planned);
  // What every recipient shares is loaded once per broadcast, not once per recipient.
  const [type, defaults, templates] = await Promise.all([
    deps.types.get(n.serviceId, n.type),
    deps.preferences.serviceDefaults(n.serviceId),
    deps.templates.latest(n.serviceId, n.type),
  ]);
  const byLocale = new Map<string, ReturnType<typeof pickTemplates>>();
  const templatesFor = (locale: string | null) => {
    const key = locale ?? '';
    let picked = byLocale.get(key);
    if (!picked) byLocale.set(key, (picked = pickTemplates(templates, locale)));
    return picked;
  };
  const wantsDevices = n.channels.some((c) => c === 'push' || c === 'web_push');
  const newId = uuidv7Source();

  // Signed links are made per recipient only for commercial types; the frequency cap's counts are
  // read only for members a cap applies to (commercial types below critical, a limit set).
  const def = type ?? { ...DEFAULT_TYPE, key: n.type };
  const commercial = def.kind === 'commercial' && deps.links !== undefined;
  const capped = (m: BatchMember) =>
    frequencyCap({ priority: n.priority, type: def, service: defaults, recipient: m.preferences }) !== null;
  // The same message for everyone without preferences: decided and rendered once, written set-based.
  const nextShared = deps.setBased === false ? undefined : deps.store.nextSharedBatch?.bind(deps.store);
  const shared = nextShared
    ? await sharedBroadcast({
        n,
        type,
        defaults,
        templates,
        renderer: deps.renderer,
        links: deps.links !== undefined,
        tracking: deps.tracking,
        now: deps.now(),
      })
    : null;

  /**
   * One batch read and everything its plan needs loaded: members, devices, recent counts for capped
   * members, the suppression list. The next batch's load runs while this one is rendered and written.
   */
  const load = async (after: string | null): Promise<Loaded | null> => {
    let batch: BatchMember[];
    let last: string;
    let members: number;
    if (shared && nextShared) {
      const read = await nextShared(n, after, deps.batchSize);
      if (!read) return null;
      ({ last, members, own: batch } = read);
    } else {
      batch = await deps.store.nextBatch(n, after, deps.batchSize);
      const end = batch.at(-1);
      if (!end) return null;
      last = end.id;
      members = batch.length;
    }
    const now = deps.now();
    const ids: string[] = [];
    const countFor: string[] = [];
    for (const m of batch) {
      if (!m.recipient) continue;
      ids.push(m.id);
      if (capped(m)) countFor.push(m.id);
    }
    const [devices, recent] = await Promise.all([
      wantsDevices ? deps.store.devices(n.serviceId, ids) : new Map<string, never[]>(),
      countFor.length > 0
        ? deps.store.countRecent(n.serviceId, countFor, new Date(now.getTime() - DAY_MS), n.id)
        : new Map<string, number>(),
    ]);
    const contexts = new Map<string, PlanContext>();
    for (const m of batch) {
      if (!m.recipient) continue;
      contexts.set(
        m.id,
        contextFor({
          now,
          n,
          recipient: m.recipient,
          type,
          defaults,
          preferences: m.preferences,
          devices: devices.get(m.id) ?? [],
          templates: templatesFor(m.recipient.locale),
          sentLastDay: recent.get(m.id) ?? 0,
          links: commercial ? await linksFor(deps, type, n.serviceId, m.id) : null,
          tracking: deps.tracking,
        }),
      );
    }
    const suppressed = await suppressedAmong(
      deps.suppressions,
      n.serviceId,
      batch.flatMap((m) =>
        m.recipient
          ? [{ recipient: m.recipient, devices: contexts.get(m.id)?.devices ?? [], channels: n.channels }]
          : [],
      ),
    );
    return { last, members, batch, contexts, suppressed };
  };

  let cursor = start.cursor;
  let planned = start.planned;
  // Batches being written, oldest first. Each inserts alongside the one before it and moves the
  // cursor only after that one committed, so the stored cursor never skips a batch.
  const writes: Promise<boolean>[] = [];
  const depth = Math.max(1, deps.writesInFlight ?? 2);
  const settle = async (): Promise<boolean> => {
    const outcomes = await Promise.allSettled(writes.splice(0));
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    return outcomes.every((o) => o.status === 'fulfilled' && o.value);
  };
  // A shared batch whose members changed between read and write rolled back (and every batch after
  // it): the broadcast is handed back, and planned again at once from the last committed batch.
  let changed = false;
  const handBack = async (): Promise<BroadcastOutcome> => {
    if (changed) await deps.store.pause(n.id, owner);
    return 'stopped';
  };
  let next: Promise<Loaded | null> = load(cursor);
  for (;;) {
    if (deps.stopping?.()) {
      next.catch(() => undefined);
      await settle();
      await deps.store.pause(n.id, owner);
      return 'stopped';
    }
    const loaded = await next;
    if (!loaded) break;
    const { last, members, batch, contexts, suppressed } = loaded;
    const more = members >= deps.batchSize;
    // Read ahead: the next batch needs only this one's last id.
    next = more ? load(last) : Promise.resolve(null);
    next.catch(() => undefined);
    const deliveries: PlannedDelivery[] = [];
    // A template that reads nothing of the recipient is rendered once for the whole batch.
    const renderer = sharedRenders(deps.renderer, RECIPIENT_VARS);
    for (const m of batch) {
      // Uploaded per-recipient data sits beside (and over) the notification's own data.
      const forMember = { ...n, recipientId: m.id, data: m.data ? { ...n.data, ...m.data } : n.data };
      deliveries.push(
        ...(await planDeliveries(forMember, m.recipient, renderer, newId, contexts.get(m.id), suppressed)),
      );
    }
    // Up to `depth` batches are written while the next one is read and rendered: the next read needs
    // only the cursor, and each write moves the cursor only after the one before it committed.
    while (writes.length >= depth) {
      const oldest = writes.shift();
      if (!(await oldest?.catch(() => false))) {
        if (oldest) writes.unshift(oldest);
        next.catch(() => undefined);
        await settle();
        return handBack();
      }
    }
    const write = deps.store
      .writeBatch(
        n,
        owner,
        {
          from: cursor,
          cursor: last,
          members,
          deliveries,
          ...(shared ? { shared: { audience: n.audience, plan: shared, own: batch.map((m) => m.id) } } : {}),
        },
        deps.leaseMs,
        writes.at(-1),
      )
      .then(
        (ok) => {
          if (ok) {
            planned += members;
            deps.onBatch?.(n, planned, start.total);
          }
          return ok;
        },
        (err: unknown) => {
          // Read again from the stored cursor (see handBack), not planned on what was read.
          if (!(err instanceof MembersChanged)) throw err;
          changed = true;
          return false;
        },
      );
    // Awaited later; until then a failure must not count as unhandled.
    write.catch(() => undefined);
    writes.push(write);
    cursor = last;
    if (!more) break;
  }
  if (!(await settle())) return handBack();
  await deps.store.finish(n.id, owner);
  return 'planned';
}
