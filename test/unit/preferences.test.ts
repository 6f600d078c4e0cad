/**
 * The preference function, first as a truth table a person can read row by row, then as properties
 * checked by fast-check over the whole rule space (every switch at every level, quiet windows in many
 * zones, caps, priorities, both type kinds).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CHANNELS, type Channel } from '../../src/domain/channels.ts';
import { localSecondOfDay, parseHhMm, quietWindowEnd } from '../../src/domain/local-time.ts';
import {
  decide,
  frequencyCap,
  mergePreferences,
  type Decision,
  type DecisionInput,
  type PreferenceSettings,
  type RecipientPreferences,
} from '../../src/domain/preferences.ts';
import { PRIORITIES } from '../../src/domain/types.ts';

// 2026-01-15 03:00 in Tokyo (UTC+9, no DST) = 2026-01-14 18:00 UTC.
const TOKYO_3AM = new Date('2026-01-14T18:00:00Z');
const NIGHT = { start: '22:00', end: '07:00' };

function input(over: Partial<DecisionInput> = {}): DecisionInput {
  return {
    now: TOKYO_3AM,
    channels: ['email'],
    type: { key: 'promo', category: 'marketing', kind: 'commercial' },
    priority: 'normal',
    timeZone: 'Asia/Tokyo',
    service: {},
    recipient: {},
    sentLastDay: 0,
    ...over,
  };
}

const one = (i: DecisionInput, channel: Channel = 'email'): Decision => decide(i).get(channel) as Decision;
const summary = (d: Decision) =>
  d.action === 'send'
    ? 'send'
    : d.action === 'defer'
      ? `defer ${d.until.toISOString()}`
      : `suppress ${d.reason}`;

describe('preferences: truth table', () => {
  const rows: [string, Partial<DecisionInput>, string][] = [
    ['nothing set', {}, 'send'],
    ['recipient turned email off', { recipient: { channels: { email: false } } }, 'suppress channel_opt_out'],
    ['service default off', { service: { channels: { email: false } } }, 'suppress channel_opt_out'],
    [
      'recipient turns back on what the service turned off',
      { service: { channels: { email: false } }, recipient: { channels: { email: true } } },
      'send',
    ],
    [
      'critical does not bypass a global opt-out',
      { priority: 'critical', recipient: { channels: { email: false } } },
      'suppress channel_opt_out',
    ],
    ['type opt-out', { recipient: { types: { promo: { email: false } } } }, 'suppress preference_opt_out'],
    [
      'category opt-out',
      { recipient: { categories: { marketing: { email: false } } } },
      'suppress category_opt_out',
    ],
    [
      'type opt-in beats category opt-out',
      { recipient: { types: { promo: { email: true } }, categories: { marketing: { email: false } } } },
      'send',
    ],
    [
      "recipient's category opt-in beats service type opt-out",
      {
        service: { types: { promo: { email: false } } },
        recipient: { categories: { marketing: { email: true } } },
      },
      'send',
    ],
    [
      'service type default off',
      { service: { types: { promo: { email: false } } } },
      'suppress preference_opt_out',
    ],
    ['unsubscribed, commercial', { recipient: { unsubscribed: true } }, 'suppress unsubscribed'],
    [
      'unsubscribed, transactional still goes',
      { recipient: { unsubscribed: true }, type: { key: 'receipt', category: null, kind: 'transactional' } },
      'send',
    ],
    ['at the cap', { recipient: { frequencyLimit: 3 }, sentLastDay: 3 }, 'suppress frequency_cap'],
    ['under the cap', { recipient: { frequencyLimit: 3 }, sentLastDay: 2 }, 'send'],
    ['service cap', { service: { frequencyLimit: 1 }, sentLastDay: 1 }, 'suppress frequency_cap'],
    [
      'recipient lifts the service cap',
      { service: { frequencyLimit: 1 }, recipient: { frequencyLimit: null }, sentLastDay: 5 },
      'send',
    ],
    [
      'critical is not capped',
      { priority: 'critical', recipient: { frequencyLimit: 0 }, sentLastDay: 9 },
      'send',
    ],
    [
      'transactional is not capped',
      {
        type: { key: 'receipt', category: null, kind: 'transactional' },
        recipient: { frequencyLimit: 0 },
        sentLastDay: 9,
      },
      'send',
    ],
    ['quiet hours at 03:00 Tokyo', { recipient: { quietHours: NIGHT } }, 'defer 2026-01-14T22:00:00.000Z'],
    ['service default quiet hours', { service: { quietHours: NIGHT } }, 'defer 2026-01-14T22:00:00.000Z'],
    [
      'recipient switches quiet hours off',
      { service: { quietHours: NIGHT }, recipient: { quietHours: null } },
      'send',
    ],
    ['critical bypasses quiet hours', { priority: 'critical', recipient: { quietHours: NIGHT } }, 'send'],
    ['outside the window', { recipient: { quietHours: { start: '09:00', end: '17:00' } } }, 'send'],
    [
      'same window in UTC is outside (18:00 UTC)',
      { timeZone: 'UTC', recipient: { quietHours: NIGHT } },
      'send',
    ],
    [
      'no time zone means UTC',
      { timeZone: null, recipient: { quietHours: { start: '17:00', end: '19:00' } } },
      'defer 2026-01-14T19:00:00.000Z',
    ],
    [
      'opt-out wins over quiet hours',
      { recipient: { quietHours: NIGHT, channels: { email: false } } },
      'suppress channel_opt_out',
    ],
  ];
  for (const [name, over, expected] of rows) {
    it(name, () => assert.equal(summary(one(input(over))), expected));
  }

  it('decides each channel on its own switches', () => {
    const d = decide(input({ channels: ['email', 'sms', 'push'], recipient: { channels: { sms: false } } }));
    assert.deepEqual(
      [...d].map(([c, x]) => `${c}:${summary(x)}`),
      ['email:send', 'sms:suppress channel_opt_out', 'push:send'],
    );
  });
});

describe('quiet window end', () => {
  it('handles a DST change inside the window (New York, spring forward 2026-03-08)', () => {
    // 01:30 EST; the clocks jump 02:00 → 03:00, so 07:00 EDT is 11:00 UTC, only 4.5 hours later.
    const until = quietWindowEnd(new Date('2026-03-08T06:30:00Z'), 'America/New_York', NIGHT);
    assert.equal(until?.toISOString(), '2026-03-08T11:00:00.000Z');
  });
  it('is null outside the window and for an empty window', () => {
    assert.equal(quietWindowEnd(TOKYO_3AM, 'Asia/Tokyo', { start: '09:00', end: '17:00' }), null);
    assert.equal(quietWindowEnd(TOKYO_3AM, 'Asia/Tokyo', { start: '03:00', end: '03:00' }), null);
  });
});

// ---- properties over the whole rule space ----

const ZONES = [
  'UTC',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'America/New_York',
  'Europe/Paris',
  'Australia/Lord_Howe',
];
const NO_DST = new Set(['UTC', 'Asia/Tokyo', 'Asia/Kolkata']);
const TYPES = ['promo', 'receipt', 'digest'];
const CATEGORIES = ['marketing', 'orders'];

const switches = fc.dictionary(fc.constantFrom(...CHANNELS), fc.boolean(), { maxKeys: 6 });
const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const window = fc.record({ start: hhmm, end: hhmm });
const settings: fc.Arbitrary<PreferenceSettings> = fc.record(
  {
    channels: switches,
    types: fc.dictionary(fc.constantFrom(...TYPES), switches, { maxKeys: 3 }),
    categories: fc.dictionary(fc.constantFrom(...CATEGORIES), switches, { maxKeys: 2 }),
    quietHours: fc.option(window, { nil: null }),
    frequencyLimit: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
  },
  { requiredKeys: [] },
);
const recipientPrefs: fc.Arbitrary<RecipientPreferences> = fc
  .tuple(settings, fc.option(fc.boolean(), { nil: undefined }))
  .map(([s, u]) => (u === undefined ? s : { ...s, unsubscribed: u }));
const anyInput: fc.Arbitrary<DecisionInput> = fc.record({
  now: fc.date({
    min: new Date('2025-01-01T00:00:00Z'),
    max: new Date('2027-12-31T00:00:00Z'),
    noInvalidDate: true,
  }),
  channels: fc.uniqueArray(fc.constantFrom(...CHANNELS), { minLength: 1, maxLength: 6 }),
  type: fc.record({
    key: fc.constantFrom(...TYPES),
    category: fc.option(fc.constantFrom(...CATEGORIES), { nil: null }),
    kind: fc.constantFrom('transactional' as const, 'commercial' as const),
  }),
  priority: fc.constantFrom(...PRIORITIES),
  timeZone: fc.option(fc.constantFrom(...ZONES), { nil: null }),
  service: settings,
  recipient: recipientPrefs,
  sentLastDay: fc.integer({ min: 0, max: 8 }),
});

const RUNS = { numRuns: 2000 };

describe('preferences: properties', () => {
  it('decides every requested channel exactly once', () => {
    fc.assert(
      fc.property(anyInput, (i) => {
        const d = decide(i);
        assert.deepEqual([...d.keys()], [...i.channels]);
      }),
      RUNS,
    );
  });

  it('a globally opted-out channel is never sent or deferred, whatever the priority', () => {
    fc.assert(
      fc.property(anyInput, fc.constantFrom(...CHANNELS), (i, channel) => {
        const off = {
          ...i,
          channels: [channel],
          recipient: { ...i.recipient, channels: { ...i.recipient.channels, [channel]: false } },
        };
        const d = one(off, channel);
        assert.equal(d.action, 'suppress');
      }),
      RUNS,
    );
  });

  it('critical ignores quiet hours and the cap, but not an opt-out or an unsubscribe', () => {
    fc.assert(
      fc.property(anyInput, (i) => {
        const critical = decide({ ...i, priority: 'critical' });
        const normal = decide({ ...i, priority: 'normal' });
        for (const c of i.channels) {
          const crit = critical.get(c) as Decision;
          const norm = normal.get(c) as Decision;
          assert.notEqual(crit.action, 'defer');
          if (norm.action === 'suppress' && norm.reason !== 'frequency_cap') assert.deepEqual(crit, norm);
          else assert.equal(crit.action, 'send');
        }
      }),
      RUNS,
    );
  });

  it('with no frequency cap, the 24-hour count changes no decision (a planner may skip counting)', () => {
    fc.assert(
      fc.property(anyInput, fc.nat({ max: 20_000 }), (i, sent) => {
        const cap = frequencyCap(i);
        const counted = decide({ ...i, sentLastDay: sent });
        if (cap === null) assert.deepEqual(counted, decide({ ...i, sentLastDay: 0 }));
        else {
          // With a cap, reaching it is what suppresses: below it the count changes nothing either.
          const under = Math.min(sent, cap - 1);
          if (under >= 0)
            assert.deepEqual(decide({ ...i, sentLastDay: under }), decide({ ...i, sentLastDay: 0 }));
        }
      }),
      RUNS,
    );
  });

  it('a deferral ends after now, within a day, at the local end of the window', () => {
    fc.assert(
      fc.property(anyInput, (i) => {
        for (const [, d] of decide(i)) {
          if (d.action !== 'defer') continue;
          const wait = d.until.getTime() - i.now.getTime();
          assert.ok(wait > 0 && wait <= 25 * 3600_000, `wait ${wait}`);
          const zone = i.timeZone ?? 'UTC';
          const w = (i.recipient.quietHours !== undefined ? i.recipient.quietHours : i.service.quietHours)!;
          if (NO_DST.has(zone)) assert.equal(localSecondOfDay(d.until, zone), parseHhMm(w.end) * 60);
        }
      }),
      RUNS,
    );
  });

  it('transactional types are never suppressed as unsubscribed', () => {
    fc.assert(
      fc.property(anyInput, (i) => {
        const t = { ...i, type: { ...i.type, kind: 'transactional' as const } };
        for (const [, d] of decide(t)) assert.ok(!(d.action === 'suppress' && d.reason === 'unsubscribed'));
      }),
      RUNS,
    );
  });

  it("the recipient's own type switch overrides every category and service default", () => {
    fc.assert(
      fc.property(anyInput, fc.constantFrom(...CHANNELS), (i, c) => {
        const on = {
          ...i,
          channels: [c],
          recipient: { ...i.recipient, types: { ...i.recipient.types, [i.type.key]: { [c]: true } } },
        };
        const d = one(on, c);
        if (d.action === 'suppress')
          assert.ok(['unsubscribed', 'channel_opt_out', 'frequency_cap'].includes(d.reason), d.reason);
      }),
      RUNS,
    );
  });

  it('opting out of more never sends more', () => {
    fc.assert(
      fc.property(
        anyInput,
        fc.constantFrom(...CHANNELS),
        fc.constantFrom('channels', 'type', 'category'),
        (i, c, where) => {
          const r = structuredClone(i.recipient);
          if (where === 'channels') r.channels = { ...r.channels, [c]: false };
          else if (where === 'type')
            r.types = { ...r.types, [i.type.key]: { ...r.types?.[i.type.key], [c]: false } };
          else if (i.type.category)
            r.categories = {
              ...r.categories,
              [i.type.category]: { ...r.categories?.[i.type.category], [c]: false },
            };
          const before = one({ ...i, channels: [c] }, c);
          const after = one({ ...i, channels: [c], recipient: r }, c);
          if (before.action === 'suppress') assert.equal(after.action, 'suppress');
        },
      ),
      RUNS,
    );
  });

  it('a switch for one channel never changes the decision for another', () => {
    fc.assert(
      fc.property(anyInput, fc.constantFrom(...CHANNELS), fc.boolean(), (i, other, value) => {
        const changed = {
          ...i,
          recipient: { ...i.recipient, channels: { ...i.recipient.channels, [other]: value } },
        };
        const a = decide(i);
        const b = decide(changed);
        for (const c of i.channels) if (c !== other) assert.deepEqual(b.get(c), a.get(c));
      }),
      RUNS,
    );
  });

  it('the cap suppresses exactly when a non-critical commercial message reaches the limit', () => {
    fc.assert(
      fc.property(anyInput, (i) => {
        const limit =
          i.recipient.frequencyLimit !== undefined ? i.recipient.frequencyLimit : i.service.frequencyLimit;
        for (const [, d] of decide(i)) {
          const capped = d.action === 'suppress' && d.reason === 'frequency_cap';
          const cappable = i.priority !== 'critical' && i.type.kind === 'commercial';
          if (capped) assert.ok(cappable && typeof limit === 'number' && i.sentLastDay >= limit);
          if (!cappable || typeof limit !== 'number' || i.sentLastDay < limit) assert.ok(!capped);
        }
      }),
      RUNS,
    );
  });

  it('merging a patch keeps what it does not name and applies what it does', () => {
    fc.assert(
      fc.property(recipientPrefs, settings, (current, patch) => {
        const merged = mergePreferences(current, patch);
        for (const c of CHANNELS) {
          const expected = patch.channels?.[c] ?? current.channels?.[c];
          assert.equal(merged.channels?.[c], expected);
        }
        const json = (v: unknown) => JSON.stringify(v);
        assert.equal(
          json(merged.quietHours),
          json(patch.quietHours === undefined ? current.quietHours : patch.quietHours),
        );
      }),
      { numRuns: 500 },
    );
  });
});
