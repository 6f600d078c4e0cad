/**
 * Peer: graphile-worker draining `n` no-op jobs on the same PostgreSQL, with its documented batching
 * settings (a local queue of claimed jobs, completions batched) and the same concurrency as Herald's
 * worker. Jobs are added before the clock starts; the time runs from `run()` until the jobs table is
 * empty (completions committed). No Herald code runs here.
 */
import pg from 'pg';
import { Logger, makeWorkerUtils, run } from 'graphile-worker';

/** Its default logger prints a line per job; Herald's worker logs successes at debug only. */
const quiet = new Logger(() => () => undefined);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function graphileNoop(url: string, n: number, concurrency: number): Promise<number> {
  const utils = await makeWorkerUtils({ connectionString: url, logger: quiet });
  try {
    await utils.migrate();
    for (let i = 0; i < n; i += 1000) {
      await utils.addJobs(
        Array.from({ length: Math.min(1000, n - i) }, () => ({ identifier: 'noop', payload: {} })),
      );
    }
  } finally {
    await utils.release();
  }
  const probe = new pg.Client({ connectionString: url });
  await probe.connect();
  let ran = 0;
  const t0 = performance.now();
  const runner = await run({
    connectionString: url,
    concurrency,
    maxPoolSize: 10,
    noHandleSignals: true,
    pollInterval: 200,
    taskList: {
      noop: async () => {
        ran += 1;
      },
    },
    preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    logger: quiet,
  });
  try {
    for (;;) {
      if (ran >= n) {
        const { rows } = await probe.query<{ left: number }>(
          'select count(*)::int as left from graphile_worker._private_jobs',
        );
        if (rows[0]?.left === 0) break;
      }
      await sleep(5);
    }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await runner.stop();
    await probe.end();
  }
}
