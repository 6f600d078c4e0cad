/**
 * The inbox's group commit (`inboxDeliverer`) when a batch write fails: each delivery is written
 * alone, one bad delivery fails only itself, and every item that is there is announced, including
 * ones the failed batch had already committed (which now read as not new). A batch that went through
 * is announced with the events it wrote.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { inboxDeliverer } from '../../src/app/inbox.ts';
import type { InboxEvent } from '../../src/domain/inbox.ts';
import type { InboxAnnouncement, InboxBus, InboxStore, RecipientRef } from '../../src/ports/inbox.ts';
import type { OutgoingMessage } from '../../src/ports/sender.ts';

const message = (deliveryId: string, to: string): OutgoingMessage => ({
  deliveryId,
  notificationId: 'n',
  serviceId: 's',
  channel: 'in_app',
  to,
  content: { title: deliveryId, body: 'b' },
});

it('announces every item that is there after a failed batch, and fails only the bad delivery', async () => {
  const store = {
    deliverMany: async () => {
      throw new Error('the second transaction failed after the first committed');
    },
    deliver: async (d: { deliveryId: string }) => {
      if (d.deliveryId === 'bad') throw new Error('bad delivery');
      // 'early' was committed by the failed batch: it is found, not new.
      return { itemId: `item-${d.deliveryId}`, lastSeq: 1, created: d.deliveryId !== 'early' };
    },
  } as unknown as InboxStore;
  const announced: RecipientRef[] = [];
  const bus: InboxBus = {
    name: 'test',
    publish: async (r) => void announced.push(r),
    publishMany: async (refs) => void announced.push(...refs),
    subscribe: async () => async () => {},
    close: async () => {},
  };
  const deliver = inboxDeliverer({ store, bus });
  const results = await Promise.allSettled([
    deliver(message('early', 'ann')),
    deliver(message('bad', 'bob')),
    deliver(message('late', 'cy')),
  ]);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected')),
    ['item-early', 'rejected', 'item-late'],
  );
  assert.deepEqual(announced.map((r) => r.recipientId).sort(), ['ann', 'cy']);
});

it('announces the events a batch wrote with their recipients, and a recipient alone when it has none', async () => {
  const event = (seq: number): InboxEvent => ({
    seq,
    body: { type: 'items.seen_all', at: new Date(0), counts: { unread: 0, unseen: 0 } },
  });
  const store = {
    deliverMany: async (ds: { deliveryId: string }[]) =>
      ds.map((d) =>
        d.deliveryId === 'again'
          ? { itemId: 'item-again', lastSeq: 4, created: false }
          : d.deliveryId === 'bare'
            ? { itemId: 'item-bare', lastSeq: 2, created: true }
            : { itemId: `item-${d.deliveryId}`, lastSeq: 9, created: true, events: [event(8), event(9)] },
      ),
  } as unknown as InboxStore;
  const announced: InboxAnnouncement[] = [];
  const bus: InboxBus = {
    name: 'test',
    publish: async (r) => void announced.push(r),
    publishMany: async (refs) => void announced.push(...refs),
    subscribe: async () => async () => {},
    close: async () => {},
  };
  const deliver = inboxDeliverer({ store, bus });
  await Promise.all([
    deliver(message('two', 'ann')),
    deliver(message('again', 'bob')),
    deliver(message('bare', 'cy')),
  ]);
  assert.deepEqual(announced, [
    { serviceId: 's', recipientId: 'ann', events: [event(8), event(9)] },
    { serviceId: 's', recipientId: 'cy' },
  ]);
});
