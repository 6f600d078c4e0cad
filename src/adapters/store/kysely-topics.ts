import { sql } from 'kysely';
import type { TopicStore } from '../../ports/audience-store.ts';
import type { Db } from './db.ts';

const ids = (list: string[]) => sql`array(select jsonb_array_elements_text(${JSON.stringify(list)}::jsonb))`;

export function kyselyTopicStore(db: Db): TopicStore {
  return {
    async subscribe(serviceId, topic, recipientIds) {
      // Only this service's recipients can be subscribed: another service's ids are simply unknown.
      // A batch with an unknown id changes nothing, so a typo never leaves half a batch subscribed.
      const { rows } = await sql<{ id: string }>`
        select id from recipients where service_id = ${serviceId} and id = any(${ids(recipientIds)})`.execute(
        db,
      );
      const found = new Set(rows.map((r) => r.id));
      const unknown = [...new Set(recipientIds)].filter((id) => !found.has(id));
      if (unknown.length > 0) return { unknown };
      await sql`
        insert into topic_subscribers (service_id, topic, recipient_id)
        select ${serviceId}, ${topic}, x from unnest(${ids(recipientIds)}) as x
        on conflict do nothing`.execute(db);
      return { unknown: [] };
    },
    async unsubscribe(serviceId, topic, recipientIds) {
      const res = await sql`
        delete from topic_subscribers
         where service_id = ${serviceId} and topic = ${topic} and recipient_id = any(${ids(recipientIds)})`.execute(
        db,
      );
      return Number(res.numAffectedRows ?? 0n);
    },
    async list(serviceId, topic, after, limit) {
      const { rows } = await sql<{ id: string; subscribed_at: Date }>`
        select recipient_id as id, created_at as subscribed_at from topic_subscribers
         where service_id = ${serviceId} and topic = ${topic}
           and ${after === null ? sql`true` : sql`recipient_id > ${after}`}
         order by recipient_id limit ${limit}`.execute(db);
      return rows.map((r) => ({ id: r.id, subscribedAt: r.subscribed_at }));
    },
  };
}
