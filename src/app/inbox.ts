/**
 * Inbox use cases. Every change is written (with its events) first and announced on the bus after
 * the commit; the bus message only says "look", so a lost one delays an event until the recipient's
 * next change or reconnect, and never reorders or duplicates anything.
 */
import { draftFromContent, patchFor, type InboxAction, type InboxItem } from '../domain/inbox.ts';
import { notFound } from '../domain/errors.ts';
import type { OutgoingMessage } from '../ports/sender.ts';
import type { InboxBus, InboxDelivery, InboxStore, RecipientRef } from '../ports/inbox.ts';

export interface InboxDeps {
  store: InboxStore;
  bus: InboxBus;
  now?: () => Date;
  onError?: (err: unknown, where: string) => void;
}

const clock = (deps: InboxDeps) => (deps.now ?? (() => new Date()))();

async function announce(deps: InboxDeps, r: RecipientRef): Promise<void> {
  // The change is committed; failing to announce it must not fail the request or the delivery.
  await deps.bus.publish(r).catch((err: unknown) => deps.onError?.(err, 'inbox bus publish'));
}

/** What the `in_app` sender does with a claimed delivery; the item id is the provider message id. */
export async function deliverToInbox(deps: InboxDeps, m: OutgoingMessage): Promise<string> {
  const r = { serviceId: m.serviceId, recipientId: m.to };
  const now = clock(deps);
  const result = await deps.store.deliver(
    {
      ...r,
      notificationId: m.notificationId,
      deliveryId: m.deliveryId,
      draft: draftFromContent(m.content, now),
    },
    now,
  );
  if (result.created) await announce(deps, r);
  return result.itemId;
}

interface Pending {
  m: OutgoingMessage;
  resolve(itemId: string): void;
  reject(err: unknown): void;
}

/**
 * `deliverToInbox` with group commit: the deliveries the lane hands over while a write is under way
 * are written together by the next one (one transaction, a fixed handful of statements) and announced
 * with one bus message. Each caller's promise settles after its own item is committed, so the lane
 * records nothing before the write. If a batch fails, its deliveries are retried one by one, so one
 * bad delivery fails only itself.
 */
export function inboxDeliverer(deps: InboxDeps, maxBatch = 500): (m: OutgoingMessage) => Promise<string> {
  let queue: Pending[] = [];
  let writing = false;

  /** Writes one delivery alone: its item id, or why not. */
  async function writeOne(m: OutgoingMessage, now: Date): Promise<{ itemId: string } | { err: unknown }> {
    try {
      const r = await deps.store.deliver(
        {
          serviceId: m.serviceId,
          recipientId: m.to,
          notificationId: m.notificationId,
          deliveryId: m.deliveryId,
          draft: draftFromContent(m.content, now),
        },
        now,
      );
      return { itemId: r.itemId };
    } catch (err) {
      return { err };
    }
  }

  async function write(batch: Pending[]): Promise<void> {
    // One clock reading for the batch: an item's expiry is counted from the same instant as its creation.
    const now = clock(deps);
    const ds: InboxDelivery[] = batch.map(({ m }) => ({
      serviceId: m.serviceId,
      recipientId: m.to,
      notificationId: m.notificationId,
      deliveryId: m.deliveryId,
      draft: draftFromContent(m.content, now),
    }));
    let results: Awaited<ReturnType<InboxStore['deliverMany']>>;
    try {
      results = await deps.store.deliverMany(ds, now);
    } catch {
      // Part of the batch may have committed before the failure (a recipient's later deliveries go
      // in later transactions) and would now read as not new: every item that is there is announced,
      // since an announcement only says "look" and one too many costs a read.
      const alone = await Promise.all(batch.map((p) => writeOne(p.m, now)));
      const there = ds.filter((_d, i) => alone[i] && 'itemId' in alone[i]);
      if (there.length > 0)
        await deps.bus
          .publishMany(there.map((d) => ({ serviceId: d.serviceId, recipientId: d.recipientId })))
          .catch((err: unknown) => deps.onError?.(err, 'inbox bus publish'));
      batch.forEach((p, i) => {
        const r = alone[i];
        if (r && 'itemId' in r) p.resolve(r.itemId);
        else p.reject(r?.err);
      });
      return;
    }
    // The events go along, so a hub whose sockets stand right before them need not read them back.
    const created = ds.flatMap((d, i) => {
      const r = results[i];
      if (!r?.created) return [];
      return [
        { serviceId: d.serviceId, recipientId: d.recipientId, ...(r.events ? { events: r.events } : {}) },
      ];
    });
    if (created.length > 0)
      await deps.bus.publishMany(created).catch((err: unknown) => deps.onError?.(err, 'inbox bus publish'));
    batch.forEach((p, i) => p.resolve(results[i]?.itemId ?? ''));
  }

  async function drain(): Promise<void> {
    writing = true;
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        await write(batch);
      }
    } finally {
      writing = false;
    }
  }

  return (m) =>
    new Promise<string>((resolve, reject) => {
      queue.push({ m, resolve, reject });
      // The first caller of a quiet moment starts a write at the end of this turn, so the deliveries
      // started in the same turn go with it; later ones wait for the write in flight, then go together.
      if (!writing) {
        writing = true;
        setImmediate(() => void drain());
      }
    });
}

export async function actOnItem(
  deps: InboxDeps,
  r: RecipientRef,
  itemId: string,
  action: InboxAction,
): Promise<InboxItem> {
  const now = clock(deps);
  const item = await deps.store.update(r, itemId, patchFor(action, now), now);
  // Another recipient's item is simply not there: the answer must not tell the two cases apart.
  if (!item) throw notFound('inbox item', itemId);
  await announce(deps, r);
  return item;
}

export async function markAll(deps: InboxDeps, r: RecipientRef, what: 'read' | 'seen'): Promise<number> {
  const changed = await deps.store.markAll(r, what, clock(deps));
  if (changed > 0) await announce(deps, r);
  return changed;
}
