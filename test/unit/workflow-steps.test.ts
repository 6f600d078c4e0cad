import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  conditionTemplate,
  delayEnd,
  digestCloseAt,
  escalationState,
  nextLocalTime,
  nextScheduled,
  overrideProblems,
  parseDuration,
  statusWithEscalation,
  stepProblems,
  throttleWindowStart,
  withOverrides,
  type Step,
  type StepDecision,
} from '../../src/domain/workflow-steps.ts';
import { localSecondOfDay, localWeekday, WEEKDAYS, type Weekday } from '../../src/domain/local-time.ts';

const noTemplateErrors = { template: () => undefined };

describe('workflow steps (domain)', () => {
  it('parses durations and refuses what is not one, or longer than 400 days', () => {
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('15m'), 900_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('180d'), 180 * 86_400_000);
    assert.equal(parseDuration('2w'), 14 * 86_400_000);
    for (const bad of ['', '0s', '1.5h', '10 minutes', '401d', 'h', '-1m'])
      assert.equal(parseDuration(bad), null, bad);
  });

  it('names each problem by its JSON pointer', () => {
    const steps = [
      { type: 'delay' },
      { type: 'throttle', limit: 1, window: 'soon' },
      { type: 'digest', window: '1h', at: '09:00' },
      { type: 'digest', at: '9am' },
      { type: 'escalate', channels: ['email', 'email'], after: '1h' },
      { type: 'delay', duration: '1h', if: '{{ x }}' },
    ] as unknown as Step[];
    assert.deepEqual(
      stepProblems(steps, noTemplateErrors).map((p) => p.path),
      [
        '/steps/0',
        '/steps/1/window',
        '/steps/2',
        '/steps/3/at',
        '/steps/4/channels',
        '/steps/4',
        '/steps/5/if',
        '/steps',
      ],
    );
  });

  it('checks every template and condition it holds, at its path', () => {
    const seen: string[] = [];
    stepProblems(
      [
        { type: 'delay', until: '{{ remind_at }}', if: 'plan == "pro"' },
        { type: 'throttle', limit: 2, window: '1h', key: '{{ project }}' },
      ],
      { template: (source, field) => void seen.push(`${field}=${source}`) },
    );
    assert.deepEqual(seen, [
      `/steps/0/if=${conditionTemplate('plan == "pro"')}`,
      '/steps/0/until={{ remind_at }}',
      '/steps/1/key={{ project }}',
    ]);
  });

  it('ends a delay at the rendered time, else after the duration', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    assert.equal(
      delayEnd({ type: 'delay', duration: '1h' }, now, null)?.toISOString(),
      '2026-01-01T01:00:00.000Z',
    );
    assert.equal(
      delayEnd(
        { type: 'delay', until: '{{ t }}', duration: '1h' },
        now,
        '2026-02-01T10:00:00Z',
      )?.toISOString(),
      '2026-02-01T10:00:00.000Z',
    );
    assert.equal(delayEnd({ type: 'delay', until: '{{ t }}' }, now, 'not a time'), null);
    assert.equal(
      delayEnd({ type: 'delay', until: '{{ t }}', duration: '2h' }, now, '')?.getTime(),
      now.getTime() + 7_200_000,
    );
  });

  it('aligns throttle windows so every worker agrees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: 1000, max: 86_400_000 }), (t, w) => {
        const start = throttleWindowStart(new Date(t), w).getTime();
        assert.ok(start <= t && t < start + w);
        assert.equal(start % w, 0);
      }),
    );
  });

  it('closes a schedule window at the next local HH:MM, across DST changes', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2025-01-01T00:00:00Z'),
          max: new Date('2027-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom('Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'UTC', 'Australia/Lord_Howe'),
        fc.constantFrom('09:00', '00:30', '23:59'),
        (now, zone, at) => {
          const next = nextLocalTime(now, zone, at);
          assert.ok(next.getTime() > now.getTime());
          assert.ok(next.getTime() - now.getTime() <= 26 * 3_600_000);
          const [h, m] = at.split(':').map(Number) as [number, number];
          assert.equal(localSecondOfDay(next, zone), h * 3600 + m * 60);
        },
      ),
    );
    const opened = new Date('2026-03-10T15:00:00Z');
    assert.equal(
      digestCloseAt({ type: 'digest', at: '09:00' }, opened, 'Europe/Paris').toISOString(),
      '2026-03-11T08:00:00.000Z',
    );
    assert.equal(
      digestCloseAt({ type: 'digest', window: '15m' }, opened, null).toISOString(),
      '2026-03-10T15:15:00.000Z',
    );
  });

  it('closes a weekly schedule at the next local HH:MM on one of its days, across DST changes', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2025-01-01T00:00:00Z'),
          max: new Date('2027-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom('Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'UTC', 'Pacific/Auckland'),
        fc.constantFrom('09:00', '00:30', '23:59'),
        fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 7 }),
        (now, zone, at, days) => {
          const next = nextScheduled(now, zone, at, days);
          assert.ok(next.getTime() > now.getTime());
          assert.ok(next.getTime() - now.getTime() <= 7 * 86_400_000 + 3_600_000);
          assert.ok(days.includes(localWeekday(next, zone)));
          const [h, m] = at.split(':').map(Number) as [number, number];
          assert.equal(localSecondOfDay(next, zone), h * 3600 + m * 60);
          // Nothing earlier qualifies: the daily times before it fall on other days.
          let earlier = nextLocalTime(now, zone, at);
          while (earlier.getTime() < next.getTime()) {
            assert.ok(!days.includes(localWeekday(earlier, zone)));
            earlier = nextLocalTime(earlier, zone, at);
          }
        },
      ),
    );
    // Tuesday 2026-03-10 16:00 in Paris: the next Monday or Thursday 09:00 is Thursday the 12th.
    const opened = new Date('2026-03-10T15:00:00Z');
    const days: Weekday[] = ['mon', 'thu'];
    assert.equal(
      digestCloseAt({ type: 'digest', at: '09:00', days }, opened, 'Europe/Paris').toISOString(),
      '2026-03-12T08:00:00.000Z',
    );
  });

  it('closes a cron-scheduled digest at the expression’s next run in the recipient’s zone', () => {
    // Friday 2026-03-27 18:00 in Paris (UTC+1); weekdays at 09:00 → Monday the 30th, after the
    // switch to summer time on the 29th, so 07:00 UTC.
    const opened = new Date('2026-03-27T17:00:00Z');
    assert.equal(
      digestCloseAt({ type: 'digest', cron: '0 9 * * 1-5' }, opened, 'Europe/Paris').toISOString(),
      '2026-03-30T07:00:00.000Z',
    );
    // No zone on the recipient: UTC. Every 15 minutes → the next quarter hour.
    assert.equal(
      digestCloseAt(
        { type: 'digest', cron: '*/15 * * * *' },
        new Date('2026-03-27T17:01:30Z'),
        null,
      ).toISOString(),
      '2026-03-27T17:15:00.000Z',
    );
    const problems = (steps: unknown[]) =>
      stepProblems(steps as Step[], noTemplateErrors).map((p) => [p.path, p.message]);
    assert.deepEqual(problems([{ type: 'digest', cron: '0 9 * * 1-5' }]), []);
    assert.deepEqual(
      problems([
        { type: 'digest', cron: 'every morning' },
        { type: 'digest', cron: '0 9 * * *', at: '09:00' },
      ]).map(([path]) => path),
      ['/steps/0/cron', '/steps/1', '/steps'],
    );
    assert.deepEqual(
      problems([{ type: 'digest', cron: '0 0 30 2 *' }]).map(([path]) => path),
      ['/steps/0/cron'],
    );
    const steps: Step[] = [{ type: 'digest', at: '09:00', days: ['mon'] }];
    assert.deepEqual(withOverrides(steps, { digest: { cron: '0 18 * * 5' } }), [
      { type: 'digest', cron: '0 18 * * 5' },
    ]);
    assert.deepEqual(
      overrideProblems(steps, { digest: { cron: '0 18 * * 5', window: '1h' } }, noTemplateErrors).map(
        (p) => p.path,
      ),
      ['/stepOverrides/digest'],
    );
    assert.deepEqual(
      overrideProblems(steps, { digest: { cron: '61 * * * *' } }, noTemplateErrors).map((p) => p.path),
      ['/stepOverrides/digest/cron'],
    );
  });

  it('applies a notification’s overrides and checks them against the type’s steps', () => {
    const steps: Step[] = [
      { type: 'delay', until: '{{ at }}', duration: '1d' },
      { type: 'digest', at: '09:00', days: ['mon'], key: '{{ thread }}' },
    ];
    assert.deepEqual(withOverrides(steps, { delay: { duration: '2h' }, digest: { window: '10m' } }), [
      { type: 'delay', duration: '2h' },
      { type: 'digest', window: '10m', key: '{{ thread }}' },
    ]);
    assert.deepEqual(withOverrides(steps, { digest: { key: 'k', maxItems: 3 } })[1], {
      type: 'digest',
      at: '09:00',
      days: ['mon'],
      key: 'k',
      maxItems: 3,
    });
    assert.deepEqual(withOverrides(steps, null), steps);
    const paths = (o: Parameters<typeof overrideProblems>[1]) =>
      overrideProblems(steps, o, noTemplateErrors).map((p) => p.path);
    assert.deepEqual(paths({ delay: { duration: '2h' }, digest: { key: 'x' } }), []);
    assert.deepEqual(paths({ throttle: { limit: 2 } }), ['/stepOverrides/throttle']);
    assert.deepEqual(paths({ delay: { duration: '401d' } }), ['/stepOverrides/delay/duration']);
    assert.deepEqual(paths({ digest: { window: '1h', at: '10:00' } }), ['/stepOverrides/digest']);
    assert.deepEqual(paths({ digest: { window: '1h', days: ['tue'] } }), ['/stepOverrides/digest/days']);
    assert.deepEqual(paths({ digest: { days: ['tue'] } }), []);
    const templates: string[] = [];
    overrideProblems(steps, { digest: { key: '{{ a }}' } }, { template: (_s, f) => void templates.push(f) });
    assert.deepEqual(templates, ['/stepOverrides/digest/key']);
  });
});

describe('a notification’s status while it escalates', () => {
  const at = new Date('2026-03-01T00:00:00Z');
  const escalating = (detail: Record<string, unknown>): StepDecision => ({
    step: 0,
    type: 'escalate',
    decision: 'escalating',
    at,
    detail,
  });
  const decision = (d: StepDecision['decision']): StepDecision => ({
    step: 0,
    type: 'escalate',
    decision: d,
    at,
    detail: {},
  });
  const first = escalating({ channel: 'in_app', stage: 0, next: 'email', checkAt: at.toISOString() });

  it('waits between stages instead of reading completed', () => {
    assert.equal(escalationState([first]), 'between');
    assert.equal(statusWithEscalation('completed', [first]), 'waiting');
    // Its first stage not yet sent: processing, as any notification.
    assert.equal(statusWithEscalation('processing', [first]), 'processing');
    assert.equal(statusWithEscalation('cancelled', [first]), 'cancelled');
  });

  it('is processing while the next stage is planned, completed after the last or once read', () => {
    const woken = [first, decision('escalated')];
    assert.equal(statusWithEscalation('accepted', woken), 'processing');
    const last = [...woken, escalating({ channel: 'email', stage: 1 })];
    assert.equal(escalationState(last), 'none');
    assert.equal(statusWithEscalation('completed', last), 'completed');
    assert.equal(statusWithEscalation('completed', [first, decision('escalation_stopped')]), 'completed');
  });

  it('leaves notifications without an escalation alone', () => {
    const digested: StepDecision = { step: 0, type: 'digest', decision: 'digested', at, detail: {} };
    assert.equal(statusWithEscalation('completed', [digested]), 'completed');
    assert.equal(statusWithEscalation('accepted', []), 'accepted');
  });
});
