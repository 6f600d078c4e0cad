/**
 * Herald started inside the test process on a fresh PostgreSQL database (dropped at stop), with fast
 * worker timings, for engine tests that need to change a provider's behaviour mid-test. Processes are
 * covered by the e2e and fault suites.
 */
import type { Herald } from '../../src/main.ts';
import { client, registerService, type Client } from './api.ts';
import { startInProcess as startInProcessOn, TEST_ADMIN_TOKEN } from './in-process.ts';
import { freshDatabase, type TestDatabase } from './pg.ts';

export const ADMIN_TOKEN = TEST_ADMIN_TOKEN;

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
  // The API always runs: it is how the tests talk to Herald.
  roles: { api?: true; worker: boolean } = { worker: true },
): Promise<InProcess> {
  const database = await freshDatabase();
  const herald = await startInProcessOn({
    databaseUrl: database.url,
    config: {
      ...config,
      worker: { pollMs: 50, sweepMs: 500, leaseMs: 10_000, drainMs: 2000, ...(config.worker as object) },
    },
    worker: roles.worker,
  });
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
