/**
 * Inbox use cases. Every change is written (with its events) first and announced on the bus after
 * the commit; the bus message only says "look", so a lost one delays an event until the recipient's
 * next change or reconnect, and never reorders or duplicates anything.
 */
import { draftFromContent, patchFor, type InboxAction, type InboxItem } from '../domain/inbox.ts';
import { notFound } from '../domain/errors.ts';
import type { OutgoingMessage } from '../ports/sender.ts';
import type { InboxBus, InboxStore, RecipientRef } from '../ports/inbox.ts';

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
  const result = await deps.store.deliver(
    {
      ...r,
      notificationId: m.notificationId,
      deliveryId: m.deliveryId,
      draft: draftFromContent(m.content, clock(deps)),
    },
    clock(deps),
  );
  if (result.created) await announce(deps, r);
  return result.itemId;
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
