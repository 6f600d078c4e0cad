/** The sweeper's jobs over recording fakes of their ports: what each does, and how a sweep runs them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createSweep,
  dropAbandonedUploads,
  pruneRetention,
  reclaimDeliveries,
  reclaimWebhooks,
  releaseDeferred,
} from '../../src/app/sweeper.ts';
import { sweepJobs } from '../../src/app/worker.ts';
import { loadConfig } from '../../src/config.ts';
import type { Channel } from '../../src/domain/channels.ts';

describe('sweeper jobs', () => {
  it('wakes the lanes of the deferred deliveries that came due, once per channel released', async () => {
    const woken: Channel[] = [];
    await releaseDeferred({ releaseDue: async () => ['email', 'sms'] }, (c) => woken.push(c));
    assert.deepEqual(woken, ['email', 'sms']);
  });

  it('wakes the webhook loop and the lanes only when something was reclaimed', async () => {
    let wakes = 0;
    await reclaimWebhooks({ reclaimExpired: async () => 0 }, () => wakes++);
    await reclaimWebhooks({ reclaimExpired: async () => 3 }, () => wakes++);
    assert.equal(wakes, 1);
    const moved: number[] = [];
    const asked: unknown[] = [];
    const queue = {
      reclaimExpired: async (max: number, per?: Readonly<Record<string, number>>) => {
        asked.push([max, per]);
        return asked.length === 1 ? 0 : 7;
      },
    };
    const attempts = { maxAttempts: 5, perChannel: { sms: 3 } };
    await reclaimDeliveries(queue, attempts, (n) => moved.push(n));
    await reclaimDeliveries(queue, attempts, (n) => moved.push(n));
    assert.deepEqual(moved, [7]);
    assert.deepEqual(asked[0], [5, { sms: 3 }]);
  });

  it('prunes by retention only when a retention period is set', async () => {
    const asked: number[] = [];
    const store = { prune: async (olderThanMs: number) => (asked.push(olderThanMs), 0) };
    await pruneRetention(store, 0);
    assert.deepEqual(asked, []);
    await pruneRetention(store, 2);
    assert.deepEqual(asked, [2 * 86_400_000]);
  });

  it('drops uploads staged for longer than twice the request timeout', async () => {
    const cutoffs: Date[] = [];
    await dropAbandonedUploads({ dropAbandoned: async (d) => (cutoffs.push(d), 0) }, 30_000, () => 1_000_000);
    assert.deepEqual(cutoffs, [new Date(1_000_000 - 60_000)]);
  });

  it('runs the jobs one after another and stops a sweep at the first failure', async () => {
    const ran: string[] = [];
    const sweep = createSweep([
      async () => void ran.push('a'),
      async () => {
        ran.push('b');
        throw new Error('database gone');
      },
      async () => void ran.push('c'),
    ]);
    await assert.rejects(sweep(), /database gone/);
    assert.deepEqual(ran, ['a', 'b']);
  });

  it("the worker's sweep: deferred, webhooks reclaimed then pruned, retention, uploads, deliveries", async () => {
    const config = loadConfig({ HERALD_CONFIG: 'c.json' }, () => ({ retention: { days: 1 } }));
    const ran: string[] = [];
    const rec =
      <T>(name: string, value: T) =>
      async () => (ran.push(name), value);
    const stores = {
      deferred: { releaseDue: rec('deferred', [] as Channel[]) },
      webhookOutbox: { reclaimExpired: rec('webhooks reclaimed', 0), prune: rec('webhooks pruned', 0) },
      retention: { prune: rec('retention', 0) },
      audiences: { dropAbandoned: rec('uploads', 0) },
      deliveryQueue: { reclaimExpired: rec('deliveries', 0) },
    };
    const jobs = sweepJobs(
      { config, stores: stores as never },
      {
        wakeLane: () => undefined,
        wakeWebhooks: () => undefined,
        onReclaimed: () => undefined,
      },
    );
    await createSweep(jobs)();
    assert.deepEqual(ran, [
      'deferred',
      'webhooks reclaimed',
      'webhooks pruned',
      'retention',
      'uploads',
      'deliveries',
    ]);
  });
});
