import { sql, type Kysely } from 'kysely';

/**
 * Every worker process (lease owner) in server mode, registered while it holds its liveness lock (a
 * session advisory lock, see pg-owner-lock.ts). A registered owner whose lock nobody holds has died:
 * its leases are handed back at once instead of after `worker.leaseMs`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `create table worker_owners (
         owner text primary key,
         started_at timestamptz not null default now()
       )`,
    )
    .execute(db);
}
