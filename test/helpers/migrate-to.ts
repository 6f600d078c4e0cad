/** A database as an older Herald left it: migrated up to `name` and no further, for upgrade tests. */
import assert from 'node:assert/strict';
import { Migrator } from 'kysely/migration';
import type { Kysely } from 'kysely';
import { migrationProvider } from '../../src/adapters/store/migrations/index.ts';

export async function migrateTo(db: Kysely<any>, name: string): Promise<void> {
  const { error } = await new Migrator({
    db,
    provider: migrationProvider,
    allowUnorderedMigrations: true,
  }).migrateTo(name);
  assert.equal(error, undefined);
}
