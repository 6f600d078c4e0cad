/**
 * `herald_claim_key` as an expression PostgreSQL inlines (see docs/tables.md).
 *
 * Its body, `due + priority * interval '10 minutes'`, uses `timestamptz + interval`, which is only
 * stable (an interval of days or months depends on the time zone), so PostgreSQL never inlined the
 * function, declared immutable as it is: it ran as a SQL function call (about 1 µs each, planned as
 * 100 operators) for every index entry written into the claim index and for every row the lane's
 * claim filters, orders and returns. The same sum done on `timestamp` in UTC is built from immutable
 * operators only, so the call is replaced by its expression everywhere, the index included. The
 * values are the same for every input (minutes added to an instant do not depend on the zone), so
 * `deliveries_claim_fair` stays valid as it is and needs no rebuild.
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  `create or replace function herald_claim_key(due timestamptz, priority smallint) returns timestamptz
     language sql immutable parallel safe
     as $$ select ((due at time zone 'UTC') + priority * interval '10 minutes') at time zone 'UTC' $$`,
  /*
   * A session keeps an index's expressions as it first read them: one that had read the claim index
   * before this (the migrating connection itself, PGlite's only one, any other process's) went on
   * seeing the call, no longer matched the claim's inlined expression, and planned the claim as a scan
   * of the service's whole queue and a sort. Renaming the index away and back changes its catalog
   * row, which makes every session read it again; a catalog change only, nothing is rebuilt.
   */
  `alter index deliveries_claim_fair rename to deliveries_claim_fair_0037`,
  `alter index deliveries_claim_fair_0037 rename to deliveries_claim_fair`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of STATEMENTS) await sql.raw(s).execute(db);
}
