/**
 * Opens the one database Herald runs on: PostgreSQL when a URL is given, else PGlite in a local folder.
 * Both get the same schema and the same queries; only the wake-up listener differs in how it connects.
 */
import { join } from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { DB, Db } from './db.ts';
import type { Heartbeat } from './pg-listen.ts';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { prioritise } from './pglite-priority.ts';
import { sendMarkedPrepared } from './prepared.ts';
import { ALL_MIGRATIONS, migrationProvider } from './migrations/index.ts';

export const WAKE_CHANNEL = 'herald_wake';

export interface Database {
  db: Db;
  /**
   * What the worker writes through. PostgreSQL: the same pool. PGlite: a second door onto the one
   * database, taking turns with `db` (see pglite-priority.ts), so accepts never queue behind a row of
   * worker statements.
   */
  background: Db;
  kind: 'postgres' | 'pglite';
  /** Calls `onMessage` with each NOTIFY payload on `channel` (Herald's wake channel by default). */
  listen(onMessage: (payload: string) => void, channel?: string): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  onListenerError?: (err: unknown) => void;
  /** How each LISTEN session is checked while it waits (PostgreSQL); pg-listen.ts's default if not given. */
  listenerHeartbeat?: Heartbeat | undefined;
}

export async function connect(options: ConnectOptions): Promise<Database> {
  return options.databaseUrl ? connectPostgres(options.databaseUrl, options) : connectPglite(options.dataDir);
}

async function connectPostgres(url: string, options: ConnectOptions): Promise<Database> {
  const pg = await import('pg');
  // A database that does not answer (a dead host, a full network) must give callers an error they
  // can turn into a 503, not a request that hangs: connecting gives up after a few seconds.
  const pool = new pg.default.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
  });
  // An idle client that loses its server must not take the process down; the pool replaces it.
  pool.on('error', (err) => options.onListenerError?.(err));
  // A client checked out of the pool has no error listener of the pool's; when the server goes away
  // mid-transaction it would emit an unhandled 'error' and kill the process. The failing query
  // already reports the fault to its caller, and the pool drops the broken client on release.
  pool.on('connect', (client) => {
    client.on('error', (err) => options.onListenerError?.(err));
    sendMarkedPrepared(client);
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    background: db,
    kind: 'postgres',
    async listen(onMessage, channel = WAKE_CHANNEL) {
      // Lost notifications are covered by the lanes' polling; the session comes back quietly.
      const { listenOwn } = await import('./pg-listen.ts');
      return listenOwn({
        url,
        channel,
        onMessage,
        onError: options.onListenerError,
        heartbeat: options.listenerHeartbeat,
      });
    },
    async close() {
      await db.destroy();
    },
  };
}

async function connectPglite(dataDir: string): Promise<Database> {
  if (dataDir === MEMORY) return openPglite(undefined, { release() {} });
  const pgliteDir = join(dataDir, 'pgdata');
  const lock = await lockDataDir(dataDir, pgliteDir);
  return openPglite(pgliteDir, lock);
}

/** `HERALD_DATA_DIR=memory://` keeps everything in memory: for tests and quick tries, gone at exit. */
export const MEMORY = 'memory://';

async function openPglite(pgliteDir: string | undefined, lock: DataDirLock): Promise<Database> {
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = await PGlite.create(pgliteDir);
    const doors = prioritise(pglite);
    const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite: doors.foreground }) });
    const background = new Kysely<DB>({ dialect: new PGliteDialect({ pglite: doors.background }) });
    return {
      db,
      background,
      kind: 'pglite',
      async listen(onMessage, channel = WAKE_CHANNEL) {
        const unsubscribe = await pglite.listen(channel, onMessage);
        return unsubscribe;
      },
      async close() {
        await background.destroy();
        await db.destroy();
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/**
 * Migration numbers are handed out per branch and merged in any order, so a database may already
 * have a higher number than one that lands later (0015 shipped before 0010): each pending migration
 * is applied whatever its place, instead of Kysely refusing the set as out of order.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Ready means: the database answers and every migration this build knows is applied. */
export async function schemaIsCurrent(db: Db): Promise<boolean> {
  const found = await sql<{
    name: string;
  }>`select name from kysely_migration where name in (${sql.join(ALL_MIGRATIONS)})`
    .execute(db)
    .catch(() => ({ rows: [] }));
  return found.rows.length === ALL_MIGRATIONS.length;
}
