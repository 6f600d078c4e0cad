/**
 * Statements marked with `prepared(name)` go to PostgreSQL as named statements (parsed once per
 * connection, planned through the plan cache) and give the same results as unmarked ones; PGlite
 * runs the same marked text as it is.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect, type Database } from '../../src/adapters/store/connect.ts';
import { prepared } from '../../src/adapters/store/prepared.ts';
import { tempDir } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`prepared statements, on ${kind}`, { skip: kind === 'postgres' ? skipWithoutPg : false }, () => {
    let database: Database;
    let pgdb: TestDatabase | undefined;

    before(async () => {
      if (kind === 'postgres') pgdb = await freshDatabase();
      database = await connect({ databaseUrl: pgdb?.url, dataDir: tempDir('herald-prepared-'), poolSize: 1 });
    });

    after(async () => {
      await database?.close();
      await pgdb?.drop();
    });

    it('runs a marked statement with its parameters, every time', async () => {
      for (let i = 0; i < 8; i++) {
        const { rows } = await sql<{ v: number; s: string }>`
          ${prepared('herald_test_echo')}select ${i}::int + 1 as v, ${`s${i}`}::text as s`.execute(
          database.db,
        );
        assert.deepEqual(rows, [{ v: i + 1, s: `s${i}` }]);
      }
    });

    it('refuses a name that is not an identifier', () => {
      assert.throws(() => prepared('x; drop table services'));
    });

    if (kind === 'postgres') {
      it('sends the marked statement as a named statement, and only that one', async () => {
        await sql`select 1 as unmarked`.execute(database.db);
        // One connection in the pool: this reads the session that ran the statements above.
        const { rows } = await sql<{ name: string; uses: number }>`
          select name, (generic_plans + custom_plans)::int as uses from pg_prepared_statements`.execute(
          database.db,
        );
        assert.deepEqual(rows, [{ name: 'herald_test_echo', uses: 8 }]);
      });
    }
  });
}
