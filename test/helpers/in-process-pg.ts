/**
 * Herald started inside the test process on a fresh PostgreSQL database, for engine tests that need
 * to change a provider's behaviour mid-test. Processes are covered by the e2e and fault suites.
 */
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import { startHerald, type Herald } from '../../src/main.ts';
import { client, registerService, type Client } from './api.ts';
import { freshDatabase, type TestDatabase } from './pg.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface InProcess {
  herald: Herald;
  database: TestDatabase;
  admin: Client;
  /** Registers a service and returns a client with its key. */
  service(name?: string): Promise<Client & { id: string }>;
  stop(): Promise<void>;
}

export async function startInProcess(
  config: Record<string, unknown>,
  roles = { api: true, worker: true },
): Promise<InProcess> {
  const database = await freshDatabase();
  const merged: Config = loadConfig({ HERALD_CONFIG: 'test' }, () => ({
    databaseUrl: database.url,
    adminToken: ADMIN_TOKEN,
    port: 0,
    logLevel: 'silent',
    ...config,
    worker: { pollMs: 50, sweepMs: 500, leaseMs: 10_000, drainMs: 2000, ...(config.worker as object) },
  }));
  const herald = await startHerald(merged, roles, pino({ level: process.env.HERALD_TEST_LOG ?? 'silent' }));
  const url = herald.url ?? '';
  const admin = client(url, ADMIN_TOKEN);
  return {
    herald,
    database,
    admin,
    async service(name = 'Acme') {
      const s = await registerService(admin, name);
      return Object.assign(client(url, s.apiKey), { id: s.id });
    },
    async stop() {
      await herald.stop();
      await database.drop();
    },
  };
}
