/**
 * A throwaway PostgreSQL cluster that a test starts, stops and restarts itself, so that restarting
 * the database under load never touches the shared server. initdb refuses to run as root, so when
 * the tests run as root the cluster belongs to the `postgres` user (via runuser).
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PG_BIN = process.env.HERALD_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface PgCluster {
  url: string;
  port: number;
  start(): Promise<void>;
  /** Fast shutdown: disconnects every client, as a crash or failover would. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/** Why this machine cannot make a throwaway cluster, or null when it can. */
export function clusterProblem(): string | null {
  return existsSync(join(PG_BIN, 'initdb')) ? null : `no initdb in ${PG_BIN}`;
}

export async function startPgCluster(): Promise<PgCluster> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'herald-pgcluster-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    const { stdout: g } = await run('id', ['-g', 'postgres']);
    chownSync(dir, uid, Number(g.trim()));
    chmodSync(dir, 0o700);
  }
  const exec = (bin: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args])
      : run(join(PG_BIN, bin), args);
  await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  // Small but sane for two cores shared with others; fsync off: the test restarts, it never crashes the OS.
  const opts = `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100 -c shared_buffers=64MB`;
  const cluster: PgCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await exec('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
    },
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async destroy() {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
