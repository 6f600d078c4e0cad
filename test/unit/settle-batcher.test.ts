/** Group commit of a lane's outcomes: who goes in which write, and what each caller gets back. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSettleBatcher } from '../../src/app/settle-batcher.ts';

describe('settle batcher', () => {
  it('writes outcomes that are ready together in one batch, and answers each caller in order', async () => {
    const writes: number[][] = [];
    const add = createSettleBatcher<number, string>({
      write: async (items) => {
        writes.push(items);
        return items.map((i) => `r${i}`);
      },
      maxBatch: 100,
    });
    const results = await Promise.all([1, 2, 3, 4].map((i) => add(i)));
    assert.deepEqual(results, ['r1', 'r2', 'r3', 'r4']);
    assert.deepEqual(writes, [[1, 2, 3, 4]]);
  });

  it('queues outcomes that arrive during a write for the next one, up to the batch bound', async () => {
    const writes: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const add = createSettleBatcher<number, number>({
      write: async (items) => {
        writes.push(items);
        if (writes.length === 1) await gate;
        return items;
      },
      maxBatch: 2,
    });
    const first = add(1);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(writes, [[1]], 'the first write is under way');
    const later = [2, 3, 4].map((i) => add(i));
    await new Promise((r) => setImmediate(r));
    assert.equal(writes.length, 1, 'nothing else is written while a write is in flight');
    release();
    assert.deepEqual(await Promise.all([first, ...later]), [1, 2, 3, 4]);
    assert.deepEqual(writes, [[1], [2, 3], [4]]);
  });

  it('fails only the batch whose write failed', async () => {
    let calls = 0;
    const add = createSettleBatcher<number, number>({
      write: async (items) => {
        calls += 1;
        if (calls === 1) throw new Error('database gone');
        return items;
      },
      maxBatch: 10,
    });
    const a = add(1);
    await assert.rejects(a, /database gone/);
    assert.equal(await add(2), 2);
  });
});
