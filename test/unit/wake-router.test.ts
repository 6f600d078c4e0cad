/** The worker's LISTEN router: each wake topic wakes exactly its own loop; anything else wakes nothing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHANNELS, type Channel } from '../../src/domain/channels.ts';
import { createWakeRouter } from '../../src/app/wake-router.ts';
import {
  laneTopic,
  WAKE_EVENTS,
  WAKE_METADATA,
  WAKE_PLAN,
  WAKE_STATUS_WEBHOOKS,
} from '../../src/ports/wake.ts';

function setup() {
  const woken: string[] = [];
  const loop = (name: string) => ({ wake: () => woken.push(name) });
  const route = createWakeRouter({
    planner: loop('planner'),
    events: loop('events'),
    statusWebhooks: loop('status-webhooks'),
    lanes: new Map(CHANNELS.map((c) => [c, loop(`lane ${c}`)] as [Channel, { wake(): void }])),
  });
  return { woken, route };
}

describe('wake router', () => {
  it('routes each worker topic to its loop', () => {
    const expected: [string, string][] = [
      [WAKE_PLAN, 'planner'],
      [WAKE_EVENTS, 'events'],
      [WAKE_STATUS_WEBHOOKS, 'status-webhooks'],
      ...CHANNELS.map((c) => [laneTopic(c), `lane ${c}`] as [string, string]),
    ];
    for (const [topic, loop] of expected) {
      const { woken, route } = setup();
      route(topic);
      assert.deepEqual(woken, [loop], topic);
    }
  });

  it('keeps the topic strings the store and the migrations send', () => {
    // Migrations 0008 and 0010 send 'status-webhooks' from a trigger; they are never edited.
    assert.equal(WAKE_STATUS_WEBHOOKS, 'status-webhooks');
    assert.equal(WAKE_PLAN, 'plan');
    assert.equal(WAKE_EVENTS, 'events');
    assert.equal(WAKE_METADATA, 'metadata');
    assert.equal(laneTopic('web_push'), 'lane:web_push');
  });

  it('wakes nothing for the metadata topic, unknown payloads and prototype names', () => {
    const { woken, route } = setup();
    for (const p of [WAKE_METADATA, '', 'lane:fax', 'lane:', 'PLAN', '__proto__', 'constructor', 'toString'])
      route(p);
    assert.deepEqual(woken, []);
  });
});
