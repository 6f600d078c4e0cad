import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planSlices, sliceAt } from '../../src/domain/rate-slices.ts';

describe('rate-limit slices', () => {
  it('never lets more than the provider limit through in any sliding second', () => {
    for (let perSecond = 2; perSecond <= 500; perSecond += 1) {
      for (const utilization of [0.5, 0.8, 0.9, 1]) {
        const plan = planSlices({ perSecond, utilization });
        assert.equal(1000 % plan.sliceMs, 0, 'slices divide a second');
        const slicesPerSecond = 1000 / plan.sliceMs;
        // A sliding second overlaps at most one more slice than fits in it.
        const worst = (slicesPerSecond + 1) * plan.pointsPerSlice;
        assert.ok(worst <= perSecond, `${perSecond}/s at ${utilization}: worst ${worst}`);
        assert.ok(plan.effectivePerSecond <= perSecond * utilization + 1e-9 || plan.effectivePerSecond === 1);
      }
    }
  });

  it('keeps most of the allowed rate', () => {
    assert.deepEqual(planSlices({ perSecond: 100, utilization: 0.8 }), {
      sliceMs: 100,
      pointsPerSlice: 8,
      effectivePerSecond: 80,
    });
    assert.equal(planSlices({ perSecond: 20, utilization: 0.8 }).effectivePerSecond, 16);
  });

  it('finds the slice of a moment and the time to the next one', () => {
    const plan = planSlices({ perSecond: 100, utilization: 0.8 });
    assert.deepEqual(sliceAt(1_000_050, plan), { index: 10_000, msToNext: 50 });
  });
});
