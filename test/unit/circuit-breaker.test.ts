import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acquire,
  newBreaker,
  record,
  reopensAt,
  type BreakerPolicy,
} from '../../src/domain/circuit-breaker.ts';
import { createProviderHealth } from '../../src/app/provider-health.ts';

const policy: BreakerPolicy = { failureThreshold: 3, windowMs: 10_000, openMs: 5_000, probes: 1 };

describe('circuit breaker', () => {
  it('opens after the threshold of failures within the window, and not before', () => {
    let b = newBreaker();
    b = record(b, policy, 'failure', 0);
    b = record(b, policy, 'failure', 1000);
    assert.equal(b.state, 'closed');
    b = record(b, policy, 'failure', 2000);
    assert.equal(b.state, 'open');
    assert.equal(reopensAt(b, policy), 7000);
    assert.equal(acquire(b, policy, 6999).ok, false);
  });

  it('forgets failures older than the window and resets on success', () => {
    let b = newBreaker();
    b = record(b, policy, 'failure', 0);
    b = record(b, policy, 'failure', 1000);
    b = record(b, policy, 'failure', 20_000); // the first two are out of the window
    assert.equal(b.state, 'closed');
    b = record(b, policy, 'success', 20_001);
    b = record(b, policy, 'failure', 20_002);
    b = record(b, policy, 'failure', 20_003);
    assert.equal(b.state, 'closed');
  });

  it('lets one probe through when half-open; success closes, failure reopens', () => {
    let b = newBreaker();
    for (const t of [0, 1, 2]) b = record(b, policy, 'failure', t);
    const probe = acquire(b, policy, 5002);
    assert.equal(probe.ok, true);
    assert.equal(probe.breaker.state, 'half_open');
    assert.equal(acquire(probe.breaker, policy, 5003).ok, false, 'a second request waits for the probe');
    assert.equal(record(probe.breaker, policy, 'success', 5004).state, 'closed');
    const reopened = record(probe.breaker, policy, 'failure', 5004);
    assert.equal(reopened.state, 'open');
    assert.equal(reopensAt(reopened, policy), 10_004);
  });

  it('does not count neutral outcomes (rate limits, bad addresses) against the provider', () => {
    let b = newBreaker();
    for (let t = 0; t < 10; t++) b = record(b, policy, 'neutral', t);
    assert.equal(b.state, 'closed');
  });
});

describe('provider health over a failover chain', () => {
  it('picks the first provider whose breaker is closed, and says how long to wait when none is', () => {
    let now = 0;
    const health = createProviderHealth({
      providers: [
        { name: 'primary', channel: 'email' },
        { name: 'backup', channel: 'email' },
      ],
      defaults: policy,
      now: () => now,
    });
    const chain = [{ name: 'primary' }, { name: 'backup' }];
    assert.equal(health.pick(chain).provider?.name, 'primary');
    for (let i = 0; i < 3; i++) health.record('primary', 'failure');
    assert.equal(health.pick(chain).provider?.name, 'backup');
    for (let i = 0; i < 3; i++) health.record('backup', 'failure');
    now = 1000;
    const none = health.pick(chain);
    assert.equal(none.provider, null);
    assert.equal('waitMs' in none && none.waitMs, 4000);
    now = 5000;
    assert.equal(health.pick(chain).provider?.name, 'primary', 'the primary gets the half-open probe');
    health.record('primary', 'success');
    const snap = health.snapshot();
    assert.deepEqual(
      snap.map((s) => [s.provider, s.state, s.succeeded, s.failed]),
      [
        ['primary', 'closed', 1, 3],
        ['backup', 'half_open', 0, 3],
      ],
    );
  });
});

describe('provider health scoped by service and host', () => {
  const chain = [{ name: 'hooks' }];
  const make = (maxScopes?: number) => {
    let now = 0;
    const health = createProviderHealth({
      providers: [{ name: 'hooks', channel: 'webhook' }],
      defaults: policy,
      now: () => now,
      ...(maxScopes ? { maxScopes } : {}),
    });
    return { health, at: (t: number) => (now = t) };
  };
  const a = { serviceId: 'A', host: 'a.example:443' };

  it("opens one service's breaker for one host, and no one else's", () => {
    const { health } = make();
    for (let i = 0; i < 3; i++) health.record('hooks', 'failure', a);
    assert.equal(health.pick(chain, a).provider, null);
    assert.equal(health.pick(chain, { serviceId: 'A', host: 'b.example:443' }).provider?.name, 'hooks');
    assert.equal(health.pick(chain, { serviceId: 'B', host: 'a.example:443' }).provider?.name, 'hooks');
    assert.equal(health.pick(chain).provider?.name, 'hooks');
  });

  it('shows the provider open only while it fails for everyone sending', () => {
    const { health, at } = make();
    for (let i = 0; i < 3; i++) health.record('hooks', 'failure', a);
    assert.equal(health.snapshot()[0]?.state, 'open', 'nothing has succeeded since it opened');
    at(10);
    health.record('hooks', 'success', { serviceId: 'B', host: 'b.example:443' });
    assert.equal(health.snapshot()[0]?.state, 'closed', "A's breaker is A's trouble alone");
    at(20);
    for (let i = 0; i < 3; i++) health.record('hooks', 'failure', { serviceId: 'B', host: 'b.example:443' });
    const snap = health.snapshot()[0];
    assert.equal(snap?.state, 'open', "B's failed too since: the provider looks down");
    assert.equal(snap?.openedAt?.getTime(), 20);
  });

  it('keeps only breakers that are not plain closed, and at most maxScopes of them', () => {
    const { health } = make(2);
    for (const s of ['A', 'B', 'C'])
      for (let i = 0; i < 3; i++) health.record('hooks', 'failure', { serviceId: s });
    // A was forgotten first: its failures are gone, so it may send again; B and C are still held.
    assert.equal(health.pick(chain, { serviceId: 'A' }).provider?.name, 'hooks');
    assert.equal(health.pick(chain, { serviceId: 'C' }).provider, null);
  });

  it("keeps a service's own-credential failures to its breaker, out of the provider's state and counts", () => {
    const { health } = make();
    const own = { serviceId: 'A', own: true };
    for (let i = 0; i < 3; i++) health.record('hooks', 'failure', own);
    assert.equal(health.pick(chain, { serviceId: 'A' }).provider, null, "A's own breaker is open");
    assert.equal(health.pick(chain, { serviceId: 'B' }).provider?.name, 'hooks');
    const snap = health.snapshot()[0];
    assert.deepEqual([snap?.state, snap?.succeeded, snap?.failed], ['closed', 0, 0]);
  });

  it('tells listeners which scope changed', () => {
    const { health } = make();
    const changes: unknown[] = [];
    health.onChange((c) => changes.push(c));
    for (let i = 0; i < 3; i++) health.record('hooks', 'failure', a);
    assert.deepEqual(changes, [{ provider: 'hooks', scope: a, state: 'open' }]);
  });
});
