/**
 * The capture outbox: in embedded mode a channel with no provider "delivers" into a table that
 * `GET /v1/outbox` lists, like Mailpit, so Herald works end to end with no accounts anywhere.
 */
import type { Channel } from '../../../domain/channels.ts';
import type { Sender } from '../../../ports/sender.ts';
import type { OutboxStore } from '../../../ports/store.ts';

export function createCaptureSender(channel: Channel, outbox: OutboxStore): Sender {
  return {
    name: 'capture',
    channel,
    async send(m) {
      const id = await outbox.capture(m.serviceId, {
        deliveryId: m.deliveryId,
        channel: m.channel,
        to: m.to,
        content: m.content,
      });
      return { providerMessageId: id };
    },
  };
}
