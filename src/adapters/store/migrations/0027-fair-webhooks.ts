import { sql, type Kysely } from 'kysely';

/*
 * The status-webhook claim shares the queue between services (kysely-webhook-outbox.ts): it finds
 * the services with pending messages by a loose scan of the first index, and takes each one's share
 * from its enabled endpoints, one probe per endpoint on the second. The claim no longer reads the
 * queue in global due order, so the index that served it goes.
 */
const STATEMENTS = [
  `create index webhook_messages_pending_service on webhook_messages (service_id) where status = 'pending'`,
  `create index webhook_messages_pending_endpoint on webhook_messages (endpoint_id, next_attempt_at, id)
     where status = 'pending'`,
  `drop index if exists webhook_messages_due`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of STATEMENTS) await sql.raw(s).execute(db);
}
