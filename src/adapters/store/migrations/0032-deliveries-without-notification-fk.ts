/**
 * `deliveries` without its foreign key to `notifications` (see docs/tables.md).
 *
 * Planning inserts deliveries hundreds or thousands per statement, and the key checked each row by
 * its own lookup and `FOR KEY SHARE` lock of the notification, queued as one after-trigger event per
 * row: about a fifth of a broadcast batch's insert. Every writer of deliveries already holds the
 * notification in the same transaction (the planner's marking update, a broadcast's cursor update, a
 * workflow's finishing update), so a delete of the notification either ran first (the writer then
 * updates nothing and writes nothing) or waits for the writer's commit; the check never refused
 * anything. What the key did that still matters is the cascade, so that retention and a removed
 * service take the deliveries along: a statement trigger on `notifications` does that now, in one
 * delete per statement over the deleted rows (deliveries' own delete trigger then takes their
 * attempts, as since 0025).
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `alter table deliveries drop constraint if exists deliveries_notification_id_fkey`,
  `create function herald_notifications_deleted() returns trigger language plpgsql as $$
   begin
     delete from deliveries where notification_id in (select id from gone);
     return null;
   end $$`,
  `create trigger notifications_deleted after delete on notifications
     referencing old table as gone for each statement execute function herald_notifications_deleted()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
