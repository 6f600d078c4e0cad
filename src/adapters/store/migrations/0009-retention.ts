import { sql, type Kysely } from 'kysely';

// Retention finds the oldest notifications first; without this it would scan the whole table each time.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`create index notifications_created on notifications (created_at)`).execute(db);
  await sql.raw(`create index captured_messages_delivery on captured_messages (delivery_id)`).execute(db);
}
