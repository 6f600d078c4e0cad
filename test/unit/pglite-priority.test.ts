/**
 * The two doors onto one embedded PGlite (adapters/store/pglite-priority.ts), on a real in-memory
 * PGlite: the API's statements wait behind at most one of the worker's, the worker paces itself while
 * the API is busy, and closing lets what is already waiting run before the database closes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { prioritise } from '../../src/adapters/store/pglite-priority.ts';

describe('PGlite doors (embedded API and worker)', () => {
  it('lets an API statement in after at most one waiting worker statement', async () => {
    const pglite = await PGlite.create();
    // The API has not been seen lately, so the worker does not pace itself: only turns are tested.
    const doors = prioritise(pglite, { activeMs: 0 });
    const order: string[] = [];
    const run = (door: 'foreground' | 'background', name: string) =>
      doors[door].query(`select '${name}' as name`).then(() => void order.push(name));
    const all = [run('background', 'w1'), run('background', 'w2'), run('background', 'w3')];
    all.push(run('foreground', 'a1'));
    await Promise.all(all);
    assert.ok(order.indexOf('a1') <= 1, `the API waited behind ${order.indexOf('a1')} worker statements`);
    assert.deepEqual(
      order.filter((n) => n.startsWith('w')),
      ['w1', 'w2', 'w3'],
    );
    await doors.foreground.close();
    assert.equal(pglite.closed, true);
  });

  it('paces the worker while the API is active, and runs what waits before closing', async () => {
    const pglite = await PGlite.create();
    const doors = prioritise(pglite, { activeMs: 60_000 });
    await doors.foreground.query('select 1');
    // A worker statement that takes 400 ms: while the API is active, the next one waits as long.
    await doors.background.query('select pg_sleep(0.4)');
    let ran = false;
    const paced = doors.background.query(`select 'late' as v`).then((r) => {
      ran = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(ran, false, 'the worker statement waits while the API is active');
    await doors.foreground.close();
    const result = await paced;
    assert.deepEqual(result.rows, [{ v: 'late' }]);
    assert.equal(pglite.closed, true);
  });
});
