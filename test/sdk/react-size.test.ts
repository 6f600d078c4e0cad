/** @herald/react stays within its budget: 15 KB gzipped, bundled and minified, without React. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { REACT_BUDGET_BYTES, reactBundleSize } from '../../scripts/react-size.ts';

it('@herald/react is at most 15 KB gzipped without React', async () => {
  const { minified, gzipped } = await reactBundleSize();
  assert.ok(minified > 1000, 'the bundle holds the package');
  assert.ok(gzipped <= REACT_BUDGET_BYTES, `${gzipped} bytes gzipped, over the ${REACT_BUDGET_BYTES} budget`);
});
