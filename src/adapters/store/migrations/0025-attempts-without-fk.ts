/**
 * `delivery_attempts` without its foreign key to `deliveries` (see docs/tables.md).
 *
 * A lane records hundreds of attempts per statement, and the key checked each one by its own lookup
 * and row lock on `deliveries` (the rows the same statement had just settled): a tenth to a sixth of a
 * settle's time. Attempts are written only for deliveries a lane claimed, so the check never refused
 * anything; what the key did that still matters is the cascade, so that retention and a removed
 * service take a delivery's attempts with it. A statement trigger does that now, in one delete per
 * statement over the deleted rows.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `alter table delivery_attempts drop constraint if exists delivery_attempts_delivery_id_fkey`,
  `create function herald_deliveries_deleted() returns trigger language plpgsql as $$
   begin
     delete from delivery_attempts where delivery_id in (select id from gone);
     return null;
   end $$`,
  `create trigger deliveries_deleted after delete on deliveries
     referencing old table as gone for each statement execute function herald_deliveries_deleted()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
