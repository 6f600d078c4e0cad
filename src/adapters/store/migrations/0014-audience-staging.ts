import { sql, type Kysely } from 'kysely';

/**
 * An upload is staged in short writes, outside any long transaction, and committed by one update
 * that sets `ready`. Until then nothing can use it (a notification naming it is refused), and a
 * staged audience whose upload died is swept away. Existing audiences were committed whole: ready.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`alter table audiences add column ready boolean not null default true`).execute(db);
  await sql.raw(`create index audiences_staged on audiences (created_at) where not ready`).execute(db);
}
