/**
 * The fault-injection suite at CI size (see fault-scenario.ts for what happens). `npm run fault`
 * runs the same scenario with a few thousand notifications.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterProblem } from '../helpers/pg-cluster.ts';
import { runFaultScenario } from './fault-scenario.ts';

const problem = clusterProblem();
if (problem && process.env.CI)
  throw new Error(`The fault suite needs a throwaway PostgreSQL cluster: ${problem}`);

describe(
  'fault injection',
  { skip: problem ? `cannot start a PostgreSQL cluster: ${problem}` : false },
  () => {
    it('loses nothing through provider errors, a worker SIGKILL and a PostgreSQL restart', async (t) => {
      const report = await runFaultScenario({
        notifications: 400,
        ratePerSecond: 40,
        log: (line) => t.diagnostic(line),
      });
      t.diagnostic(JSON.stringify(report));
      assert.equal(report.accepted, report.notifications, 'every notification was eventually accepted');
      assert.equal(report.stored, report.accepted, 'one stored notification per accepted one, no more');
      assert.equal(report.deliveries, report.accepted);
      assert.equal(report.notFinal, 0, 'every delivery reached a final state');
      assert.equal(report.sent + report.gone, report.deliveries, 'all sent but those to the gone endpoint');
      assert.equal(report.goneFailedOnce, report.gone, 'a permanent failure ends failed after one attempt');
      assert.equal(report.retryAfterViolations, 0, 'no retry came sooner than Retry-After');
      assert.equal(report.lost, 0, 'every sent delivery reached the provider');
      assert.equal(report.phantom, 0);
      assert.equal(report.badSignatures, 0);
      assert.ok(
        report.duplicates.extra <= report.leaseExpiredAttempts,
        `duplicates (${report.duplicates.extra}) only where a lease expired (${report.leaseExpiredAttempts})`,
      );
      assert.ok((report.attemptsByOutcome.transient ?? 0) > 0, 'the provider faults were felt');
      assert.ok((report.attemptsByOutcome.rate_limited ?? 0) > 0, 'the 429s were felt');
    });
  },
);
