import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  // Events that came from a broker source name it; a message no event could be read from is kept as
  // a `dead` event with the reason in `error` and the first bytes of the message in `raw`.
  `alter table events add column source text`,
  `alter table events add column raw bytea`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of STATEMENTS) await sql.raw(s).execute(db);
}
