import { v7 as uuidv7 } from 'uuid';
import type { OutboxStore } from '../../ports/store.ts';
import { json, type Db } from './db.ts';

export function kyselyOutbox(db: Db): OutboxStore {
  return {
    async capture(serviceId, message) {
      const id = uuidv7();
      await db
        .insertInto('captured_messages')
        .values({
          id,
          service_id: serviceId,
          delivery_id: message.deliveryId,
          channel: message.channel,
          to: message.to,
          content: json(message.content),
        })
        .execute();
      return id;
    },
    async list(serviceId, limit) {
      const rows = await db
        .selectFrom('captured_messages')
        .selectAll()
        .where('service_id', '=', serviceId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        deliveryId: r.delivery_id,
        channel: r.channel,
        to: r.to,
        content: r.content,
        createdAt: r.created_at,
      }));
    },
  };
}
