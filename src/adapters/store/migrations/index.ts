import type { Migration, MigrationProvider } from 'kysely/migration';
import * as m0001 from './0001-init.ts';
import * as m0002 from './0002-engine.ts';

/** Migrations in order. Add new ones at the end; never edit one that has shipped. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-init': m0001,
  '0002-engine': m0002,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1) as string;
