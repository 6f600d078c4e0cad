/**
 * `notifications` without its foreign key to `services` (see docs/tables.md).
 *
 * Accepting writes notifications a thousand per statement (a batch, a group-commit tick, an event
 * batch), and the key checked each row by its own lookup and `FOR KEY SHARE` lock of the service,
 * queued as one after-trigger event per row: about a sixth of a batch's insert, for rows that almost
 * always name one service. Both things the key did are kept, once per statement:
 *
 * - A notification names a service that exists. After each insert, each distinct service of the new
 *   rows is looked up and locked `FOR KEY SHARE`, as the key's check did, and a missing one fails the
 *   statement with the key's own error (`foreign_key_violation`). The lock orders the insert against
 *   a concurrent delete of the service exactly as the key did: the delete waits for the insert's
 *   commit (and then its own trigger takes the new rows), or the insert waits for the delete and
 *   fails. This is what keeps an API key cached in a process past its service's deletion from
 *   writing rows that belong to nothing.
 * - A removed service takes its notifications along: one delete per statement over the deleted
 *   services (the notifications' own delete trigger then takes their deliveries, as since 0032).
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `alter table notifications drop constraint if exists notifications_service_id_fkey`,
  `create function herald_notifications_added() returns trigger language plpgsql as $$
   declare
     sid uuid;
   begin
     for sid in select distinct service_id from added loop
       perform 1 from services where id = sid for key share;
       if not found then
         raise exception 'notification names service %, which does not exist', sid
           using errcode = 'foreign_key_violation', table = 'notifications',
                 constraint = 'notifications_service_id_fkey';
       end if;
     end loop;
     return null;
   end $$`,
  `create trigger notifications_added after insert on notifications
     referencing new table as added for each statement execute function herald_notifications_added()`,
  `create function herald_services_deleted() returns trigger language plpgsql as $$
   begin
     delete from notifications where service_id in (select id from gone);
     return null;
   end $$`,
  `create trigger services_deleted after delete on services
     referencing old table as gone for each statement execute function herald_services_deleted()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
