/**
 * When the work loop claims: again at once while claims come back full, in batches once the buffer
 * runs low; after a claim that was not full, only when woken or when the poll comes round. A queue
 * that ran dry is not asked again after every finished item.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkLoop } from '../../src/app/work-loop.ts';

const turns = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 1));
}

/** A loop over an in-memory queue, counting claims and the sizes asked for. */
function loopOver(queue: number[], o: { concurrency: number; batchSize: number; pollMs: number }) {
  const claims: number[] = [];
  const handled: number[] = [];
  const loop = new WorkLoop<number>({
    name: 'test',
    ...o,
    claim: async (limit) => {
      claims.push(limit);
      return queue.splice(0, limit);
    },
    handle: async (item) => {
      await new Promise((r) => setImmediate(r));
      handled.push(item);
    },
    release: async (items) => {
      queue.unshift(...items);
    },
    onError: (err) => {
      throw err;
    },
  });
  return { loop, claims, handled };
}

describe('work loop claims', () => {
  it('does not claim again after each finished item once a claim came back short', async () => {
    const queue = [1, 2, 3];
    const { loop, claims, handled } = loopOver(queue, { concurrency: 4, batchSize: 8, pollMs: 600_000 });
    loop.start();
    await until(() => handled.length === 3);
    await turns();
    assert.equal(claims.length, 1, 'one claim, short, and none after the three finished');
    queue.push(4, 5);
    loop.wake();
    await until(() => handled.length === 5);
    await turns();
    assert.equal(claims.length, 2, 'a wake-up claims once');
    await loop.stop();
  });

  it('keeps claiming while claims come back full, refilling in batches rather than per item', async () => {
    const queue = Array.from({ length: 200 }, (_, i) => i);
    const { loop, claims, handled } = loopOver(queue, { concurrency: 4, batchSize: 8, pollMs: 600_000 });
    loop.start();
    await until(() => handled.length === 200);
    await loop.stop();
    assert.deepEqual(
      [...handled].sort((a, b) => a - b),
      Array.from({ length: 200 }, (_, i) => i),
    );
    // A claim per finished item would be ~200 claims of one; a refill asks for half a round or more.
    assert.ok(
      claims.every((n) => n >= 2),
      `claims asked for ${claims.join(',')}`,
    );
    assert.ok(claims.length <= 200 / 2 + 1, `${claims.length} claims for 200 items`);
  });

  it('finds work nobody announced at the next poll', async () => {
    const queue: number[] = [];
    const { loop, handled } = loopOver(queue, { concurrency: 2, batchSize: 4, pollMs: 20 });
    loop.start();
    await turns();
    queue.push(7, 8, 9);
    await until(() => handled.length === 3);
    await loop.stop();
    assert.deepEqual(handled, [7, 8, 9]);
  });
});

describe('work loop hand-over', () => {
  it('has room for handed-over items only while idle, and starts them without a claim', async () => {
    const queue: number[] = [];
    const { loop, claims, handled } = loopOver(queue, { concurrency: 3, batchSize: 6, pollMs: 600_000 });
    assert.equal(loop.room(), 0, 'not started: no room');
    loop.start();
    await until(() => claims.length === 1);
    await turns();
    assert.equal(loop.room(), 3, 'its claim came back short: a free slot each');
    loop.offer([10, 11]);
    await until(() => handled.length === 2);
    await turns();
    assert.deepEqual(handled, [10, 11]);
    assert.equal(claims.length, 1, 'started as handed over, with no claim for them');
    loop.wake();
    assert.equal(loop.room(), 0, 'woken: work may be waiting, so a claim goes first');
    await until(() => claims.length === 2);
    await turns();
    assert.equal(loop.room(), 3);
    await loop.stop();
    assert.equal(loop.room(), 0, 'stopped: no room');
  });

  it('releases what is handed to it after it stopped, and stop() waits for that', async () => {
    const queue: number[] = [];
    let releases = 0;
    const loop = new WorkLoop<number>({
      name: 'test',
      concurrency: 2,
      batchSize: 2,
      pollMs: 600_000,
      claim: async (limit) => queue.splice(0, limit),
      handle: async () => assert.fail('nothing is handled after stop'),
      release: async (items) => {
        await turns(5);
        releases += 1;
        queue.push(...items);
      },
      onError: (err) => {
        throw err;
      },
    });
    loop.start();
    await turns();
    const stopped = loop.stop();
    loop.offer([1, 2]);
    await stopped;
    assert.equal(releases, 1);
    assert.deepEqual(queue, [1, 2], 'back in the queue for the next claim');
  });
});
