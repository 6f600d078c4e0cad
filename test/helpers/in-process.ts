/**
 * Herald in the test's own process: the real server and workers on a real database (in-memory PGlite,
 * or a fresh PostgreSQL database), listening on a free port.
 */
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { startHerald, type Herald } from '../../src/main.ts';
import type { Clock } from '../../src/ports/clock.ts';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export async function startInProcess(
  options: {
    databaseUrl?: string;
    env?: Record<string, string>;
    worker?: boolean;
    /** Settings as a config file would hold them; the environment still goes on top. */
    config?: Record<string, unknown>;
    /** What workflow steps read as the time (a fake clock moves delays and windows by hand). */
    clock?: Clock;
  } = {},
): Promise<Herald> {
  const fileConfig = options.config;
  const config = loadConfig(
    {
      HERALD_DATA_DIR: 'memory://',
      HERALD_PORT: '0',
      HERALD_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...(fileConfig ? { HERALD_CONFIG: 'inline' } : {}),
      ...options.env,
    },
    fileConfig ? () => fileConfig : undefined,
  );
  const log = pino({ level: process.env.HERALD_TEST_LOG ?? 'silent' });
  return startHerald(
    config,
    { api: true, worker: options.worker ?? true },
    log,
    options.clock ? { clock: options.clock } : {},
  );
}
