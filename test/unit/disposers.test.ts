/** The disposer stack: stops run last-registered first, once, and one failing stop does not strand the rest. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDisposers } from '../../src/app/disposers.ts';

describe('disposer stack', () => {
  it('runs stops in reverse order of registration, each awaited before the next', async () => {
    const d = createDisposers();
    const order: string[] = [];
    d.defer(() => order.push('database'));
    d.defer(async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push('drain');
    });
    d.defer(() => order.push('api'));
    await d.dispose();
    assert.deepEqual(order, ['api', 'drain', 'database']);
  });

  it('says it is disposing from the first call on, and runs each stop once however often it is called', async () => {
    const d = createDisposers();
    let runs = 0;
    let seen: boolean | undefined;
    d.defer(() => {
      runs++;
      seen = d.disposing;
    });
    assert.equal(d.disposing, false);
    await Promise.all([d.dispose(), d.dispose()]);
    await d.dispose();
    assert.equal(runs, 1);
    assert.equal(seen, true);
  });

  it('keeps going past a failing stop and throws the first failure at the end', async () => {
    const d = createDisposers();
    const order: string[] = [];
    d.defer(() => order.push('last'));
    d.defer(() => {
      throw new Error('first failure');
    });
    d.defer(() => Promise.reject(new Error('second failure')));
    await assert.rejects(d.dispose(), /second failure/);
    assert.deepEqual(order, ['last']);
  });

  it('runs a stop registered while disposing (a start still under way) before the ones below it', async () => {
    const d = createDisposers();
    const order: string[] = [];
    d.defer(() => order.push('bottom'));
    d.defer(() => {
      d.defer(() => order.push('late'));
      order.push('top');
    });
    await d.dispose();
    assert.deepEqual(order, ['top', 'late', 'bottom']);
  });
});
