/**
 * The inbox's group commit (`inboxDeliverer`) when a batch write fails: each delivery is written
 * alone, one bad delivery fails only itself, and every item that is there is announced, including
 * ones the failed batch had already committed (which now read as not new).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { inboxDeliverer } from '../../src/app/inbox.ts';
import type { InboxBus, InboxStore, RecipientRef } from '../../src/ports/inbox.ts';
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
