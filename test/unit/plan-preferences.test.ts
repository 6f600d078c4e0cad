/**
 * The planner obeys the preference decision: over random preferences, devices and priorities, a
 * suppressed channel never yields a queued or deferred delivery, a deferred one waits exactly until
 * the decided time, and push fans out to each active device of the right platform.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planDeliveries } from '../../src/domain/plan-deliveries.ts';
import type { PlanContext } from '../../src/domain/plan-context.ts';
import { CHANNELS } from '../../src/domain/channels.ts';
import { DEFAULT_TYPE } from '../../src/domain/notification-types.ts';
import { decide, type PreferenceSettings } from '../../src/domain/preferences.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import { PRIORITIES, type NotificationToPlan, type Recipient } from '../../src/domain/types.ts';

const renderer = createTemplateRenderer();
const now = new Date('2026-06-01T20:30:00Z');
const recipient: Recipient = {
  id: 'r',
  email: 'r@example.com',
  phone: '+33612345678',
  locale: null,
  timezone: 'Europe/Paris',
  attributes: {},
  createdAt: now,
  updatedAt: now,
};
const CONTENT = {
  email: { subject: 's', text: 't' },
  sms: { text: 't' },
  push: { title: 't', body: 'b' },
  web_push: { title: 't', body: 'b' },
  in_app: { title: 't', body: 'b' },
  webhook: { payload: { a: 1 } },
};

const switches = fc.dictionary(fc.constantFrom(...CHANNELS), fc.boolean(), { maxKeys: 6 });
const settings: fc.Arbitrary<PreferenceSettings> = fc.record(
  {
    channels: switches,
    types: fc.dictionary(fc.constant('t'), switches, { maxKeys: 1 }),
    quietHours: fc.option(
      fc.record({
        start: fc.constantFrom('21:00', '23:00', '08:00'),
        end: fc.constantFrom('07:00', '09:00'),
      }),
      { nil: null },
    ),
    frequencyLimit: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
  },
  { requiredKeys: [] },
);
const device = fc.record({
  id: fc.uuid(),
  platform: fc.constantFrom('ios' as const, 'android' as const, 'web' as const),
  token: fc.stringMatching(/^[a-z0-9]{8,16}$/),
  active: fc.boolean(),
});

describe('planner and preferences', () => {
  it('never queues what the preferences suppress, and defers exactly to the decided time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.constantFrom(...CHANNELS.filter((c) => c !== 'webhook')), { minLength: 1 }),
        fc.constantFrom(...PRIORITIES),
        settings,
        settings,
        fc.uniqueArray(device, { maxLength: 4, selector: (d) => d.token }),
        fc.integer({ min: 0, max: 3 }),
        async (channels, priority, service, prefs, devices, sentLastDay) => {
          const n: NotificationToPlan = {
            id: 'n',
            serviceId: 's',
            type: 't',
            recipientId: 'r',
            channels,
            data: {},
            content: CONTENT,
            priority,
            idempotencyKey: null,
            requestHash: 'h',
            createdAt: now,
          };
          const type = { ...DEFAULT_TYPE, key: 't', kind: 'commercial' as const };
          const decisions = decide({
            now,
            channels,
            type,
            priority,
            timeZone: recipient.timezone,
            service,
            recipient: prefs,
            sentLastDay,
          });
          const ctx: PlanContext = {
            type,
            decisions,
            devices: devices,
            templates: new Map(),
            links: null,
          };
          let i = 0;
          const planned = await planDeliveries(n, recipient, renderer, () => `d${i++}`, ctx);
          for (const channel of channels) {
            const mine = planned.filter((p) => p.channel === channel);
            assert.ok(mine.length >= 1, `${channel} is accounted for`);
            const d = decisions.get(channel)!;
            for (const p of mine) {
              if (d.action === 'suppress') assert.deepEqual([p.status, p.reason], ['suppressed', d.reason]);
              if (p.status === 'queued') assert.equal(d.action, 'send');
              if (p.status === 'deferred') {
                assert.equal(d.action, 'defer');
                assert.equal(p.notBefore?.getTime(), d.action === 'defer' ? d.until.getTime() : NaN);
              }
            }
            if (d.action !== 'suppress' && (channel === 'push' || channel === 'web_push')) {
              const expected = devices.filter(
                (x) => x.active && (x.platform === 'web') === (channel === 'web_push'),
              );
              if (expected.length === 0)
                assert.deepEqual(
                  mine.map((p) => p.reason),
                  ['recipient_missing_address'],
                );
              else assert.deepEqual(mine.map((p) => p.address).sort(), expected.map((x) => x.token).sort());
            }
          }
          assert.equal(new Set(planned.map((p) => p.id)).size, planned.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
