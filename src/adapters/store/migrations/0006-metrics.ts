import { sql, type Kysely } from 'kysely';

// The dead-letter gauge counts dead deliveries per channel on every scrape; keep that an index read.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`create index deliveries_dead on deliveries (channel) where status = 'dead'`).execute(db);
}
