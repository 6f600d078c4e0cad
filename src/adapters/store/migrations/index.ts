import type { Migration, MigrationProvider } from 'kysely/migration';
import * as m0001 from './0001-init.ts';
import * as m0005 from './0005-inbox.ts';

/** Migrations in order. Add new ones at the end; never edit one that has shipped. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-init': m0001,
  '0005-inbox': m0005,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1) as string;
