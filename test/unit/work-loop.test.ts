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
