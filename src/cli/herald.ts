/**
 * herald start | api | worker | migrate
 *   start    API and workers in one process (embedded mode when DATABASE_URL is unset)
 *   api      the HTTP API only
 *   worker   planner and channel lanes only
 *   migrate  apply database migrations and exit
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { migrateOnly, startHerald, type Roles } from '../main.ts';
import { DataDirLockedError } from '../ports/store.ts';
import { stopOnSignal } from './stop-on-signal.ts';
import { collectStartingGarbage, releaseYoungGeneration } from './young-generation.ts';

const USAGE = `Usage: herald <command>

Commands:
  start     API and workers in one process (what \`npm start\` runs)
  api       the HTTP API only
  worker    the planner and channel workers only
  migrate   apply database migrations and exit

Configuration comes from HERALD_CONFIG (a JSON or YAML file) and the environment:
  DATABASE_URL        PostgreSQL; when unset, embedded PGlite in HERALD_DATA_DIR (default ./.herald)
  HERALD_ADMIN_TOKEN  bearer token for POST /v1/services (embedded mode makes one if unset)
  HERALD_SMTP_URL     smtp://user:pass@host:port, the email provider (HERALD_SMTP_FROM sets From)
  HERALD_PUBLIC_URL   where recipients reach this API (unsubscribe and preference links in messages)
  HERALD_SECRET_KEY   signs those links (32+ characters); if unset Herald makes one and keeps it
                      in the data folder (embedded) or in the database (server mode)
  REDIS_URL           redis://host:port, so provider rate limits are shared by every process
  HERALD_HOST, HERALD_PORT (or PORT)  where the API listens (default 127.0.0.1:8025)
`;

/** How long after starting the start-up garbage is collected (see young-generation.ts). */
const STARTING_GARBAGE_AFTER_MS = 2000;

/** How long closing what remains (API, listeners, database) may take once the drain is over. */
const STOP_AFTER_DRAIN_MS = 10_000;

const ROLES: Record<string, Roles> = {
  start: { api: true, worker: true },
  api: { api: true, worker: false },
  worker: { api: false, worker: true },
};

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0];
  if (values.help || !command || command === 'help') {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 1;
  }
  const config = loadConfig();
  if (command === 'migrate') {
    const applied = await migrateOnly(config);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Already up to date.\n');
    return 0;
  }
  const roles = ROLES[command];
  if (!roles) {
    process.stderr.write(`Unknown command '${command}'.\n\n${USAGE}`);
    return 1;
  }
  const herald = await startHerald(config, roles);
  // Started: from here V8 sizes its young generation for the work that comes (see young-generation.ts).
  releaseYoungGeneration();
  // Once the worker's first claims and the API's first answers are done with their start-up reads.
  setTimeout(collectStartingGarbage, STARTING_GARBAGE_AFTER_MS).unref();
  if (roles.api && !config.databaseUrl) {
    // The admin token is shown only when Herald made it (kept in the data folder); one the operator
    // set is theirs and is never echoed.
    const token = !config.adminToken && herald.adminToken ? `Admin token: ${herald.adminToken}\n` : '';
    process.stdout.write(
      `\nHerald is running in embedded mode at ${herald.url}  (API docs: ${herald.url}/docs)\n` +
        `Data folder: ${config.dataDir}\n${token}\n`,
    );
  }
  // The worker's drain may take `drainMs`; closing the rest after it gets a few seconds more.
  await stopOnSignal({ stop: () => herald.stop(), limitMs: config.worker.drainMs + STOP_AFTER_DRAIN_MS });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof DataDirLockedError)
      process.stderr.write(`herald: ${err.message}\n`);
    else process.stderr.write(`herald: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
