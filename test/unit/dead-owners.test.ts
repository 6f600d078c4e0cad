/**
 * The dead-owner watch's judgement: an owner is dead only when its lock stayed free for the whole
 * grace, across checks that all succeeded. The store here is an in-memory register whose lock state
 * the test sets; the real one reads pg_locks (test/e2e/recovery-server.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDeadOwnerWatch } from '../../src/app/dead-owners.ts';
import type { OwnerStore } from '../../src/ports/owners.ts';

function register(owners: string[]) {
  const registered = new Set(owners);
  const locked = new Set(owners);
  const leases = new Map(owners.map((o) => [o, 3]));
  let failing = false;
  const store: OwnerStore = {
    async unlocked(self) {
      if (failing) throw new Error('connection refused');
      return [...registered].filter((o) => o !== self && !locked.has(o));
    },
    async expireLeases(list) {
      let n = 0;
      for (const o of list ?? [...leases.keys()]) {
        n += leases.get(o) ?? 0;
        leases.set(o, 0);
      }
      return n;
    },
    async forget(list) {
      for (const o of list) registered.delete(o);
    },
  };
  return {
    store,
    registered,
    locked,
    leases,
    fail: (v: boolean) => {
      failing = v;
    },
  };
}

describe('dead-owner watch', () => {
  it('hands back the leases of an owner whose lock stayed free for the grace, then forgets it', async () => {
    const r = register(['me', 'a', 'b']);
    let t = 0;
    const watch = createDeadOwnerWatch({ self: 'me', store: r.store, graceMs: 3000, now: () => t });
    assert.deepEqual(await watch.check(), []);
    r.locked.delete('a');
    assert.deepEqual(await watch.check(), [], 'first seen free: only a suspect');
    t = 2000;
    assert.deepEqual(await watch.check(), []);
    assert.equal(r.leases.get('a'), 3);
    t = 3000;
    assert.deepEqual(await watch.check(), ['a']);
    assert.equal(r.leases.get('a'), 0);
    assert.equal(r.leases.get('b'), 3, 'a live owner keeps its leases');
    assert.ok(!r.registered.has('a'));
    t = 9000;
    assert.deepEqual(await watch.check(), []);
  });

  it('forgives an owner that takes its lock back within the grace (a database restart)', async () => {
    const r = register(['me', 'a']);
    let t = 0;
    const watch = createDeadOwnerWatch({ self: 'me', store: r.store, graceMs: 3000, now: () => t });
    r.locked.delete('a');
    await watch.check();
    t = 1000;
    r.locked.add('a');
    await watch.check();
    t = 2500;
    r.locked.delete('a');
    await watch.check();
    t = 4000;
    assert.deepEqual(await watch.check(), [], 'the grace starts again from the new sighting');
    t = 5500;
    assert.deepEqual(await watch.check(), ['a']);
  });

  it('never counts an outage towards the grace', async () => {
    const r = register(['me', 'a']);
    let t = 0;
    const watch = createDeadOwnerWatch({ self: 'me', store: r.store, graceMs: 3000, now: () => t });
    r.locked.delete('a');
    await watch.check();
    r.fail(true);
    t = 10_000;
    await assert.rejects(watch.check(), /connection refused/);
    r.fail(false);
    t = 20_000;
    assert.deepEqual(await watch.check(), [], 'seen free once since the outage: a suspect again');
    assert.equal(r.leases.get('a'), 3);
  });

  it('never judges itself', async () => {
    const r = register(['me']);
    r.locked.delete('me');
    let t = 0;
    const watch = createDeadOwnerWatch({ self: 'me', store: r.store, graceMs: 0, now: () => t });
    await watch.check();
    t = 5000;
    assert.deepEqual(await watch.check(), []);
    assert.equal(r.leases.get('me'), 3);
  });
});
