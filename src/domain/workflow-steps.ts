/**
 * Workflow steps: what a notification type does for each recipient before its channels send. The
 * steps run in order, each may carry an `if` (a LiquidJS expression over the data and the recipient):
 *
 *   delay     wait a duration, or until a time taken from the data, then go on
 *   throttle  at most `limit` per recipient (or per rendered `key`) per fixed `window`; extras end
 *             `suppressed` with reason `throttled`
 *   digest    gather the recipient's notifications of the type sharing a rendered `key` into one message,
 *             sent when the window closes (look-back `window`, or daily at `at` in the recipient's zone),
 *             or at once when `maxItems` have gathered; `critical` notifications skip it
 *   escalate  send on the first of `channels`; when the recipient has neither seen nor read it (in the
 *             inbox, or opened or clicked an email) `after` later, plan the next channel, and so on.
 *             Once seen or read anywhere, nothing more is sent. It is the last step.
 *
 * Everything here is pure: parsing, validation and window arithmetic take the time as an argument.
 */
import { Cron } from 'croner';
import type { Channel } from './channels.ts';
import { localSecondOfDay, localWeekday, parseHhMm, WEEKDAYS, type Weekday } from './local-time.ts';

export const STEP_TYPES = ['delay', 'throttle', 'digest', 'escalate'] as const;
export type StepType = (typeof STEP_TYPES)[number];

interface StepBase {
  /** A LiquidJS condition (`tier == "pro"`, `recipient.plan != "free"`); the step is skipped when false. */
  if?: string;
}

export interface DelayStep extends StepBase {
  type: 'delay';
  /** `30s`, `15m`, `2h`, `180d`. */
  duration?: string;
  /** A template rendering to an ISO 8601 time (`{{ remind_at }}`); wins over `duration` when it renders. */
  until?: string;
}

export interface ThrottleStep extends StepBase {
  type: 'throttle';
  limit: number;
  window: string;
  /** A template over the data; without it the limit is per recipient. */
  key?: string;
}

export interface DigestStep extends StepBase {
  type: 'digest';
  /** Look-back window: the first event opens the digest, it closes this long after. */
  window?: string;
  /** Schedule window instead: closes at the next local `HH:MM` in the recipient's time zone. */
  at?: string;
  /** With `at`: only on these local days of the week (`["mon", "thu"]`); every day when absent. */
  days?: Weekday[];
  /** Or a cron expression (`0 9 * * 1-5`), read in the recipient's time zone: closes at its next run. */
  cron?: string;
  key?: string;
  maxItems?: number;
}

export interface EscalateStep extends StepBase {
  type: 'escalate';
  channels: Channel[];
  after: string;
}

export type Step = DelayStep | ThrottleStep | DigestStep | EscalateStep;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d{1,6})(s|m|h|d|w)$/;
/** Longer than any retention; a wait past it is surely a mistake. */
export const MAX_WAIT_MS = 400 * 86_400_000;

export function parseDuration(value: string): number | null {
  const m = DURATION.exec(value);
  if (!m) return null;
  const ms = Number(m[1]) * (UNITS[m[2] as string] as number);
  return ms > 0 && ms <= MAX_WAIT_MS ? ms : null;
}

export interface StepProblem {
  path: string;
  message: string;
}

export interface StepChecks {
  /** Throws when `source` is not a valid template; `field` names it. */
  template(source: string, field: string): void;
}

/** The condition as a template: renders `1` when true. */
export function conditionTemplate(expression: string): string {
  return `{% if ${expression} %}1{% endif %}`;
}

const BAD_CONDITION = /\{\{|\}\}|\{%|%\}/;

/** Problems with a list of steps, each at its JSON pointer under `base`; template errors are thrown. */
export function stepProblems(steps: readonly Step[], checks: StepChecks, base = '/steps'): StepProblem[] {
  const problems: StepProblem[] = [];
  const duration = (value: string | undefined, path: string) =>
    problems.push(...durationProblems(value, path));
  const template = (value: string | undefined, path: string) => {
    if (value !== undefined) checks.template(value, path);
  };
  steps.forEach((step, i) => {
    const at = `${base}/${i}`;
    if (step.if !== undefined) {
      if (BAD_CONDITION.test(step.if) || step.if.trim() === '')
        problems.push({
          path: `${at}/if`,
          message: 'must be a bare LiquidJS expression, without {{ }} or {% %}',
        });
      else checks.template(conditionTemplate(step.if), `${at}/if`);
    }
    switch (step.type) {
      case 'delay':
        if (step.duration === undefined && step.until === undefined)
          problems.push({ path: at, message: 'a delay needs a duration or an until' });
        duration(step.duration, `${at}/duration`);
        template(step.until, `${at}/until`);
        break;
      case 'throttle':
        duration(step.window, `${at}/window`);
        template(step.key, `${at}/key`);
        break;
      case 'digest':
        if ([step.window, step.at, step.cron].filter((t) => t !== undefined).length !== 1)
          problems.push({
            path: at,
            message:
              'a digest needs exactly one of window (look-back), at (daily HH:MM) and cron (a schedule)',
          });
        duration(step.window, `${at}/window`);
        if (step.at !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(step.at))
          problems.push({ path: `${at}/at`, message: 'must be a local time HH:MM' });
        problems.push(...dayProblems(step.days, step.at, `${at}/days`));
        problems.push(...cronProblems(step.cron, `${at}/cron`));
        template(step.key, `${at}/key`);
        break;
      case 'escalate':
        duration(step.after, `${at}/after`);
        if (new Set(step.channels).size !== step.channels.length || step.channels.length < 2)
          problems.push({ path: `${at}/channels`, message: 'needs two or more different channels' });
        if (i !== steps.length - 1) problems.push({ path: at, message: 'escalate must be the last step' });
        break;
    }
  });
  const digests = steps.filter((s) => s.type === 'digest').length;
  if (digests > 1) problems.push({ path: base, message: 'at most one digest step per type' });
  return problems;
}

/**
 * What one notification may change in its type's steps, by step type; each applies to every step of
 * that type. Conditions (`if`) and the escalation's channels stay the type's.
 */
export interface StepOverrides {
  delay?: { duration?: string; until?: string };
  throttle?: { limit?: number; window?: string; key?: string };
  digest?: { window?: string; at?: string; days?: Weekday[]; cron?: string; key?: string; maxItems?: number };
  escalate?: { after?: string };
}

/**
 * The type's steps with a notification's overrides applied. Setting one form of a step's timing
 * replaces the other: a digest's `window` drops the type's `at` (and the reverse), a delay's
 * `duration` drops the type's `until` unless the notification sets that too.
 */
export function withOverrides(steps: readonly Step[], overrides: StepOverrides | null | undefined): Step[] {
  if (!overrides) return [...steps];
  return steps.map((step): Step => {
    switch (step.type) {
      case 'delay': {
        const o = overrides.delay;
        if (!o) return step;
        const { until: _until, ...rest } = step;
        return o.duration !== undefined && o.until === undefined ? { ...rest, ...o } : { ...step, ...o };
      }
      case 'throttle':
        return overrides.throttle ? { ...step, ...overrides.throttle } : step;
      case 'digest': {
        const o = overrides.digest;
        if (!o) return step;
        const { window: _window, at: _at, days: _days, cron: _cron, ...rest } = step;
        const timing = o.window !== undefined || o.at !== undefined || o.cron !== undefined ? rest : step;
        return { ...timing, ...o };
      }
      case 'escalate':
        return overrides.escalate ? { ...step, ...overrides.escalate } : step;
    }
  });
}

/**
 * Problems with a notification's overrides against its type's steps, at JSON pointers under `base`:
 * an override for a step the type does not have, a bad duration, a digest given both timings.
 * Templates are checked with `checks` (which throws).
 */
export function overrideProblems(
  steps: readonly Step[],
  overrides: StepOverrides,
  checks: StepChecks,
  base = '/stepOverrides',
): StepProblem[] {
  const problems: StepProblem[] = [];
  const duration = (value: string | undefined, path: string) =>
    problems.push(...durationProblems(value, path));
  const template = (value: string | undefined, path: string) => {
    if (value !== undefined) checks.template(value, path);
  };
  for (const type of STEP_TYPES) {
    if (overrides[type] !== undefined && !steps.some((s) => s.type === type))
      problems.push({ path: `${base}/${type}`, message: `the notification type has no ${type} step` });
  }
  const { delay, throttle, digest, escalate } = overrides;
  duration(delay?.duration, `${base}/delay/duration`);
  template(delay?.until, `${base}/delay/until`);
  duration(throttle?.window, `${base}/throttle/window`);
  template(throttle?.key, `${base}/throttle/key`);
  if ([digest?.window, digest?.at, digest?.cron].filter((t) => t !== undefined).length > 1)
    problems.push({ path: `${base}/digest`, message: 'give at most one of window, at and cron' });
  problems.push(...cronProblems(digest?.cron, `${base}/digest/cron`));
  duration(digest?.window, `${base}/digest/window`);
  if (digest?.at !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(digest.at))
    problems.push({ path: `${base}/digest/at`, message: 'must be a local time HH:MM' });
  if (digest !== undefined) {
    const typeAt = steps.find((st): st is DigestStep => st.type === 'digest')?.at;
    const at = digest.at ?? (digest.window === undefined && digest.cron === undefined ? typeAt : undefined);
    problems.push(...dayProblems(digest.days, at, `${base}/digest/days`));
  }
  template(digest?.key, `${base}/digest/key`);
  duration(escalate?.after, `${base}/escalate/after`);
  return problems;
}

function durationProblems(value: string | undefined, path: string): StepProblem[] {
  if (value === undefined || parseDuration(value) !== null) return [];
  return [{ path, message: 'must be a duration such as 30s, 15m, 2h or 7d, at most 400 days' }];
}

function dayProblems(
  days: readonly string[] | undefined,
  at: string | undefined,
  path: string,
): StepProblem[] {
  if (days === undefined) return [];
  if (at === undefined) return [{ path, message: 'days needs at (the local time it closes)' }];
  if (
    days.length === 0 ||
    new Set(days).size !== days.length ||
    days.some((d) => !WEEKDAYS.includes(d as Weekday))
  )
    return [{ path, message: 'must be distinct days of the week: sun, mon, tue, wed, thu, fri, sat' }];
  return [];
}

/** A cron expression croner reads (5 fields, or 6 with seconds) that runs again at some time. */
function cronProblems(expression: string | undefined, path: string): StepProblem[] {
  if (expression === undefined) return [];
  try {
    if (new Cron(expression, { paused: true }).nextRun() !== null) return [];
  } catch {
    // croner throws on an expression it cannot read: reported below.
  }
  return [{ path, message: 'must be a cron expression that runs again, such as "0 9 * * 1-5"' }];
}

/** The fixed window a throttle counts in: windows are aligned to the epoch, so all workers agree. */
export function throttleWindowStart(now: Date, windowMs: number): Date {
  return new Date(Math.floor(now.getTime() / windowMs) * windowMs);
}

/** The first instant after `now` whose local time in `timeZone` is `hhmm`. */
export function nextLocalTime(now: Date, timeZone: string, hhmm: string): Date {
  const day = 86_400;
  const target = parseHhMm(hhmm) * 60;
  const local = localSecondOfDay(now, timeZone);
  const wait = (target - local + day) % day || day;
  const second = Math.floor(now.getTime() / 1000) * 1000;
  let guess = second + wait * 1000;
  // A DST change between now and then moves the local clock: read it again and correct.
  const drift = ((localSecondOfDay(new Date(guess), timeZone) - target + day + day / 2) % day) - day / 2;
  guess -= drift * 1000;
  return new Date(guess > now.getTime() ? guess : guess + day * 1000);
}

/** The first instant after `now` at local `hhmm` on one of `days` (any day when absent) in `timeZone`. */
export function nextScheduled(now: Date, timeZone: string, hhmm: string, days?: readonly Weekday[]): Date {
  let next = nextLocalTime(now, timeZone, hhmm);
  if (!days || days.length === 0) return next;
  for (let i = 0; i < 7 && !days.includes(localWeekday(next, timeZone)); i++)
    next = nextLocalTime(next, timeZone, hhmm);
  return next;
}

/** When a digest opened at `now` closes. */
export function digestCloseAt(step: DigestStep, now: Date, timeZone: string | null): Date {
  if (step.at !== undefined) return nextScheduled(now, timeZone ?? 'UTC', step.at, step.days);
  if (step.cron !== undefined) {
    const next = new Cron(step.cron, { paused: true, timezone: timeZone ?? 'UTC' }).nextRun(now);
    if (next) return next;
  }
  return new Date(now.getTime() + (parseDuration(step.window ?? '') ?? 3_600_000));
}

/** When a delay ends: the rendered `until` when it parses as a time, else now + duration. */
export function delayEnd(step: DelayStep, now: Date, renderedUntil: string | null): Date | null {
  if (renderedUntil !== null && renderedUntil.trim() !== '') {
    const t = Date.parse(renderedUntil.trim());
    if (Number.isFinite(t)) return new Date(t);
  }
  const ms = step.duration === undefined ? null : parseDuration(step.duration);
  return ms === null ? null : new Date(now.getTime() + ms);
}

/** One entry of a notification's timeline: which step decided what, and when. */
export interface StepDecision {
  step: number;
  type: StepType;
  decision:
    | 'skipped'
    | 'waiting'
    | 'resumed'
    | 'elapsed'
    | 'passed'
    | 'throttled'
    | 'digested'
    | 'digest_sent'
    | 'critical_skipped'
    | 'escalating'
    | 'escalated'
    | 'escalation_stopped';
  at: Date;
  detail: Record<string, unknown>;
}

/**
 * Where an escalation is, from the timeline: `between` when a stage was planned with a later one to
 * check (`escalating` naming a `next`), `next` when the check found it unseen and the next stage is
 * being planned (`escalated`), `none` otherwise (no escalation, the last stage planned, or stopped by
 * a read). A notification between stages is not done, though its first stage's deliveries are final.
 */
export function escalationState(timeline: readonly StepDecision[]): 'between' | 'next' | 'none' {
  const last = timeline.findLast((d) => d.type === 'escalate');
  if (last?.decision === 'escalated') return 'next';
  if (last?.decision === 'escalating' && last.detail.next !== undefined) return 'between';
  return 'none';
}

/**
 * A notification's status with its escalation in mind: `waiting` between stages (rather than
 * `completed`: more may be sent), `processing` while the next stage is planned (rather than
 * `accepted`). Any other status stands.
 */
export function statusWithEscalation<S extends string>(
  status: S,
  timeline: readonly StepDecision[],
): S | 'waiting' | 'processing' {
  const state = escalationState(timeline);
  if (status === 'completed' && state === 'between') return 'waiting';
  if (status === 'accepted' && state === 'next') return 'processing';
  return status;
}
