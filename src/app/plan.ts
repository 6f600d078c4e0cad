/**
 * Planning turns one accepted notification into its deliveries: resolve the recipient, apply their
 * preferences (send, defer to the end of quiet hours, or suppress with a reason), pick each channel's
 * addresses (one delivery per device for push), render the content for that recipient. The planner
 * here claims notifications, loads what they need and writes what was planned; the deciding and
 * rendering are pure (domain/plan-deliveries.ts, domain/plan-context.ts).
 */
import { uuidv7Source } from './batch-ids.ts';
import type { TemplateRenderer } from '../domain/templates.ts';
import type { Channel } from '../domain/channels.ts';
import type { ClaimedDelivery, NotificationToPlan, PlannedDelivery, Recipient } from '../domain/types.ts';
import type { PlanQueue, RecipientStore } from '../ports/store.ts';
import type { SuppressionList } from '../ports/receipts.ts';
import { planDeliveries } from '../domain/plan-deliveries.ts';
import type { PlanContext } from '../domain/plan-context.ts';
import { suppressedAmong } from './plan-context.ts';
import type { LogIds } from './work-loop.ts';
import { WorkLoop } from './work-loop.ts';
import type { Audience } from '../domain/audience.ts';
import type { PlannedNotification } from './plan-batch.ts';

/** Delivery ids: random bytes drawn 4 KiB at a time, not a system call per id (batch-ids.ts). */
const newId = uuidv7Source();

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
   * This worker's own lanes: deliveries one would start at once (`room`) are written already leased
   * to them and handed over (`offer`), without a wake-up and a claim in between. A lane with work
   * waiting, or busy, has no room, and its deliveries go the usual way (queued, woken, claimed).
   */
  handoff?: {
    leaseMs: number;
    room(channel: Channel): number;
    offer(channel: Channel, deliveries: ClaimedDelivery[]): void;
  };
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

  /**
   * The one-at-a-time path: a notification whose planning throws ends `failed` with the reason. A
   * read that fails (the database away, a pool timeout) is not the notification's fault: it throws
   * with the notification still leased, and it is planned again once the lease runs out.
   */
  async function planOne(n: NotificationToPlan): Promise<void> {
    const recipient = await o.recipients.get(n.serviceId, n.recipientId);
    const ctx = recipient && o.context ? await o.context(n, recipient) : undefined;
    const suppressed = await suppressedAmong(
      o.suppressions,
      n.serviceId,
      recipient ? [{ recipient, devices: ctx?.devices ?? [], channels: n.channels }] : [],
    );
    let deliveries: PlannedDelivery[];
    try {
      deliveries = await planDeliveries(n, recipient, o.renderer, newId, ctx, suppressed);
    } catch (err) {
      await o.queue.fail(n.id, o.owner, `planning failed: ${(err as Error).message}`);
      throw err;
    }
    await o.queue.complete(n, o.owner, deliveries);
  }

  /**
   * Lane room promised to batches whose write is still running, per channel. A lane's room is read
   * before the write and taken up only when the written rows are offered, so batches writing at the
   * same time each saw all of it: with 8 slots writing, 8 × the free slots went leased to one lane,
   * most of them to wait in its buffer. Read and promised in one step (no await between), and given
   * back once the rows are offered (or the write failed), so what is handed over is what fits.
   */
  const promised = new Map<Channel, number>();

  /** How many of each channel's deliveries in `planned` to write leased for this worker's lanes. */
  function reserve(h: NonNullable<PlannerOptions['handoff']>, planned: PlannedNotification[]) {
    const eligible = new Map<Channel, number>();
    for (const { deliveries } of planned) {
      for (const d of deliveries) {
        // Only a delivery a claim could take now: queued and not deferred (see leaseFor in the store).
        if (d.status === 'queued' && !d.notBefore)
          eligible.set(d.channel, (eligible.get(d.channel) ?? 0) + 1);
      }
    }
    const take = new Map<Channel, number>();
    for (const [channel, count] of eligible) {
      const held = promised.get(channel) ?? 0;
      // Only as many as there are: what does not fit (or is not there) is written queued, unleased.
      const n = Math.min(count, Math.max(0, h.room(channel) - held));
      if (n <= 0) continue;
      take.set(channel, n);
      promised.set(channel, held + n);
    }
    return take;
  }

  function unreserve(take: ReadonlyMap<Channel, number>): void {
    for (const [channel, n] of take) {
      const left = (promised.get(channel) ?? 0) - n;
      if (left > 0) promised.set(channel, left);
      else promised.delete(channel);
    }
  }

  async function complete(planned: PlannedNotification[]): Promise<void> {
    const h = o.handoff;
    const take = h ? reserve(h, planned) : new Map<Channel, number>();
    let handed: ClaimedDelivery[];
    try {
      handed = await o.queue.completeMany(
        o.owner,
        planned,
        h && take.size > 0 ? { leaseMs: h.leaseMs, take } : undefined,
      );
    } finally {
      // Given back in the same turn as the offer below: the lane's own room then counts the rows.
      unreserve(take);
    }
    if (!h || handed.length === 0) return;
    const byChannel = new Map<Channel, ClaimedDelivery[]>();
    for (const d of handed) byChannel.set(d.channel, [...(byChannel.get(d.channel) ?? []), d]);
    for (const [channel, ds] of byChannel) h.offer(channel, ds);
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
      if (planned) return complete(planned);
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
