/**
 * The per-process metadata cache: reads are served from memory until the bound, a change made here
 * clears at once and announces itself, a clear from elsewhere empties it, and a read that was in
 * flight across a clear is not kept (else a revoked key could live on past the clear).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetadataCache } from '../../src/app/metadata-cache.ts';
import type { ApiKeyStore } from '../../src/ports/store.ts';
import type { PreferenceSettings } from '../../src/domain/preferences.ts';

function keyStore() {
  const state = { revoked: false, reads: 0, gate: null as Promise<void> | null };
  const store: ApiKeyStore = {
    async findByPublicId(publicId) {
      state.reads += 1;
      const revoked = state.revoked;
      if (state.gate) await state.gate;
      return publicId === 'known' ? { serviceId: 's1', secretHash: 'h', revoked } : null;
    },
    async create() {
      throw new Error('not used');
    },
    async list() {
      return [];
    },
    async revoke() {
      state.revoked = true;
      return true;
    },
  };
  return { store, state };
}

describe('metadata cache', () => {
  it('serves a key from memory until the bound, then reads again', async () => {
    let now = 0;
    const { store, state } = keyStore();
    const keys = createMetadataCache({ ttlMs: 1000, now: () => now, announce: async () => {} }).keys(store);
    await keys.findByPublicId('known');
    await keys.findByPublicId('known');
    assert.equal(state.reads, 1);
    state.revoked = true; // changed behind the cache's back: a lost announcement
    now = 999;
    assert.equal((await keys.findByPublicId('known'))?.revoked, false, 'still within the bound');
    now = 1000;
    assert.equal((await keys.findByPublicId('known'))?.revoked, true, 'read again at the bound');
  });

  it('does not keep unknown keys', async () => {
    const { store, state } = keyStore();
    const keys = createMetadataCache({ announce: async () => {} }).keys(store);
    await keys.findByPublicId('made-up');
    await keys.findByPublicId('made-up');
    assert.equal(state.reads, 2);
  });

  it('a revoke here clears at once and announces; an announcement from elsewhere clears too', async () => {
    let announced = 0;
    const { store, state } = keyStore();
    const cache = createMetadataCache({
      announce: async () => {
        announced += 1;
      },
    });
    const keys = cache.keys(store);
    await keys.findByPublicId('known');
    await keys.revoke('s1', 'k1');
    assert.equal(announced, 1);
    assert.equal((await keys.findByPublicId('known'))?.revoked, true);
    state.revoked = false;
    cache.invalidate();
    assert.equal((await keys.findByPublicId('known'))?.revoked, false);
  });

  it("keeps a service's preference defaults until they are set, here or elsewhere", async () => {
    let stored: PreferenceSettings = { channels: { email: false } };
    let reads = 0;
    let announced = 0;
    const cache = createMetadataCache({
      announce: async () => {
        announced += 1;
      },
    });
    const prefs = cache.preferences({
      get: async () => null,
      update: async () => null,
      countRecent: async () => 0,
      serviceDefaults: async () => {
        reads += 1;
        return stored;
      },
      setServiceDefaults: async (_serviceId, defaults) => {
        stored = defaults;
      },
    });
    await prefs.serviceDefaults('s1');
    await prefs.serviceDefaults('s1');
    assert.equal(reads, 1);
    await prefs.setServiceDefaults('s1', { channels: { email: true } });
    assert.equal(announced, 1);
    assert.deepEqual(await prefs.serviceDefaults('s1'), { channels: { email: true } });
    stored = { channels: { sms: false } }; // set through another process
    cache.invalidate();
    assert.deepEqual(await prefs.serviceDefaults('s1'), { channels: { sms: false } });
    assert.equal(reads, 3);
  });

  it('shares one read among concurrent misses, and drops a read that a clear overtook', async () => {
    const { store, state } = keyStore();
    const cache = createMetadataCache({ announce: async () => {} });
    const keys = cache.keys(store);
    let open!: () => void;
    state.gate = new Promise((r) => (open = r));
    const reads = [keys.findByPublicId('known'), keys.findByPublicId('known')];
    assert.equal(state.reads, 1, 'one read for two callers');
    cache.invalidate();
    state.revoked = true;
    open();
    await Promise.all(reads);
    state.gate = null;
    assert.equal((await keys.findByPublicId('known'))?.revoked, true, 'the overtaken read was not kept');
  });
});
