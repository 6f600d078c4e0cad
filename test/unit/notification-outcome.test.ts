/**
 * A notification's outcome, from its deliveries' states: a dead-only notification is `undelivered`,
 * never shown as if it had succeeded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countByState, notificationOutcome } from '../../src/domain/notification-outcome.ts';
import type { DeliveryState } from '../../src/domain/delivery-states.ts';

const of = (...states: DeliveryState[]) => notificationOutcome(countByState(states));

describe('notificationOutcome', () => {
  it('calls a notification whose only delivery is dead undelivered', () => {
    assert.equal(of('dead'), 'undelivered');
    assert.equal(of('failed', 'bounced'), 'undelivered');
    assert.equal(of('dead', 'suppressed'), 'undelivered');
  });

  it('tells a partial success from a full one', () => {
    assert.equal(of('sent', 'dead'), 'partly_delivered');
    assert.equal(of('clicked', 'failed', 'suppressed'), 'partly_delivered');
    assert.equal(of('sent', 'delivered', 'opened'), 'delivered');
    assert.equal(of('sent', 'suppressed'), 'delivered');
  });

  it('says suppressed when nothing was tried', () => {
    assert.equal(of('suppressed'), 'suppressed');
    assert.equal(of('suppressed', 'cancelled'), 'suppressed');
  });

  it('has no outcome while a delivery is on its way, or before there are deliveries', () => {
    for (const open of ['pending', 'queued', 'sending', 'deferred'] as const)
      assert.equal(of('dead', open), null, open);
    assert.equal(of(), null);
    assert.equal(notificationOutcome({ queued: 0, dead: 2 }), 'undelivered');
  });
});
