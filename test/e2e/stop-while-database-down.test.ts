/**
 * Stopping while PostgreSQL is away: `herald api` and `herald worker` told to stop during an outage
 * exit by themselves, with no database to drain into, rather than wait for it to come back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, registerService } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig, type HeraldProcess } from '../helpers/herald-process.ts';
import { clusterProblem, startPgCluster, type PgCluster } from '../helpers/pg-cluster.ts';

const ADMIN = 'stop-outage-admin-token-0123456789';
const problem = clusterProblem();

/**
 * Each wait in the hooks has its own bound that ends what it waited for and says why (pg_ctl 60 s,
 * a process's start 90 s and its stop 45 s, an API call 60 s): together up to about 5 minutes. The
 * hooks' own limit is above that, so it never cuts one short — a hook cut short goes on in the
 * background, and a process it starts afterwards has nobody to stop it and keeps this file running.
 */
const HOOK_TIMEOUT_MS = 6 * 60_000;

describe(
  'stopping while PostgreSQL is down',
  { skip: problem ? `cannot start a PostgreSQL cluster: ${problem}` : false },
  () => {
    let cluster: PgCluster;
    let apiProc: HeraldProcess;
    let workerProc: HeraldProcess;

    before(
      async () => {
        cluster = await startPgCluster();
        const env = {
          DATABASE_URL: cluster.url,
          HERALD_ADMIN_TOKEN: ADMIN,
          HERALD_CONFIG: writeConfig(tempDir(), { worker: { pollMs: 200, sweepMs: 1000, drainMs: 2000 } }),
        };
        apiProc = await startHeraldProcess('api', env);
        workerProc = await startHeraldProcess('worker', env);
        await registerService(client(apiProc.url, ADMIN));
      },
      { timeout: HOOK_TIMEOUT_MS },
    );

    after(
      async () => {
        await workerProc?.stop('SIGKILL');
        await apiProc?.stop('SIGKILL');
        await cluster?.destroy();
      },
      { timeout: HOOK_TIMEOUT_MS },
    );

    it('exits after SIGTERM without waiting for the database', async () => {
      await cluster.stop();
      // Long enough for listeners and pools to notice and start reconnecting.
      await new Promise((r) => setTimeout(r, 1500));
      // stop() fails the test when a process is still running 45 s after the signal.
      const [workerCode, apiCode] = await Promise.all([workerProc.stop(), apiProc.stop()]);
      assert.equal(workerCode, 0, workerProc.output().slice(-3000));
      assert.equal(apiCode, 0, apiProc.output().slice(-3000));
    });
  },
);
