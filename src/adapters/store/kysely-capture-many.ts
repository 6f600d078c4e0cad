/**
 * Captured messages (embedded mode's outbox) written many at a time: the messages a lane's batch
 * "sends" at once go in as one `unnest` insert instead of one statement each.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from './db.ts';

export interface CapturedMessage {
  serviceId: string;
  deliveryId: string;
  channel: string;
  to: string;
  content: unknown;
}

/** Each message's new id, in order. */
export async function captureMany(db: Db, messages: readonly CapturedMessage[]): Promise<string[]> {
  if (messages.length === 0) return [];
  const ids = messages.map(() => uuidv7());
  await sql`
    insert into captured_messages (id, service_id, delivery_id, channel, "to", content)
    select * from unnest(
      ${ids}::uuid[], ${messages.map((m) => m.serviceId)}::uuid[], ${messages.map((m) => m.deliveryId)}::uuid[],
      ${messages.map((m) => m.channel)}::text[], ${messages.map((m) => m.to)}::text[],
      ${messages.map((m) => JSON.stringify(m.content))}::jsonb[])`.execute(db);
  return ids;
}
