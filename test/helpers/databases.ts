/**
 * Store tests that run the same cases on both drivers: PGlite in memory, and a fresh PostgreSQL
 * database of their own (skipped with the reason when no server answers; see pg.ts).
 */
import { connect, type Database } from '../../src/adapters/store/connect.ts';
import { freshDatabase, skipWithoutPg } from './pg.ts';

/** Opens the suite's database (in its `before`); `cleanup` drops it (in its `after`). */
export type OpenDatabase = () => Promise<{ database: Database; cleanup(): Promise<void> }>;

/**
 * Defines a suite once per driver. `kind` tells what differs: PGlite has one connection, so a
 * transaction that waits on another would wait forever.
 */
export function onEachDatabase(
  define: (name: string, open: OpenDatabase, skip: string | false, kind: 'pglite' | 'postgres') => void,
  options: { poolSize?: number } = {},
): void {
  define(
    'PGlite',
    async () => ({ database: await connect({ dataDir: 'memory://' }), cleanup: async () => undefined }),
    false,
    'pglite',
  );
  define(
    'PostgreSQL',
    async () => {
      const pg = await freshDatabase();
      return {
        database: await connect({ databaseUrl: pg.url, dataDir: '', ...options }),
        cleanup: () => pg.drop(),
      };
    },
    skipWithoutPg,
    'postgres',
  );
}
