/**
 * `events` without its foreign key to `services`, as 0036 did for notifications (docs/tables.md).
 *
 * A source's batch and `POST /v1/events` write events up to a thousand per statement, and the key
 * checked each row by its own lookup and `FOR KEY SHARE` lock of the service, queued as one
 * after-trigger event per row, for rows that all name one service. Both things the key did are kept,
 * once per statement:
 *
 * - An event names a service that exists. After each insert, each distinct service of the new rows
 *   is looked up and locked `FOR KEY SHARE`, as the key's check did, and a missing one fails the
 *   statement with the key's own error (`foreign_key_violation`, constraint `events_service_id_fkey`,
 *   which the API answers as an unknown key). The lock orders the insert against a concurrent delete
 *   of the service as the key did: the delete waits for the insert's commit (and then its own trigger
 *   takes the new rows), or the insert waits for the delete and fails.
 * - A removed service takes its events along: one delete per statement over the deleted services.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `alter table events drop constraint if exists events_service_id_fkey`,
  `create function herald_events_added() returns trigger language plpgsql as $$
   declare
     sid uuid;
   begin
     for sid in select distinct service_id from added loop
       perform 1 from services where id = sid for key share;
       if not found then
         raise exception 'event names service %, which does not exist', sid
           using errcode = 'foreign_key_violation', table = 'events',
                 constraint = 'events_service_id_fkey';
       end if;
     end loop;
     return null;
   end $$`,
  `create trigger events_added after insert on events
     referencing new table as added for each statement execute function herald_events_added()`,
  `create function herald_services_deleted_events() returns trigger language plpgsql as $$
   begin
     delete from events where service_id in (select id from gone);
     return null;
   end $$`,
  `create trigger services_deleted_events after delete on services
     referencing old table as gone for each statement execute function herald_services_deleted_events()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
