/**
 * The collection after start (src/cli/young-generation.ts) frees old-generation garbage that an idle
 * process would keep, and leaves no `gc` behind: neither on the global object nor in V8's flags
 * (a new context sees none), so the compile cache's key for later modules is unchanged.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { collectStartingGarbage } from '../../src/cli/young-generation.ts';

it('frees what starting left behind and exposes no gc', () => {
  // Long-lived enough to be promoted, then dropped: what start-up leaves.
  let junk: { i: number; s: string }[] | null = Array.from({ length: 300_000 }, (_, i) => ({
    i,
    s: `x${i}`,
  }));
  for (let i = 0; i < 3; i++) Array.from({ length: 50_000 }, () => ({})); // survive a few scavenges
  const held = process.memoryUsage().heapUsed;
  assert.ok(junk.length > 0);
  junk = null;
  collectStartingGarbage();
  const freed = held - process.memoryUsage().heapUsed;
  assert.ok(freed > 10 * 1024 * 1024, `freed ${freed} bytes`);
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
  assert.equal(runInNewContext('typeof gc'), 'undefined');
});
