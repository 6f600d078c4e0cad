/**
 * Wall-clock arithmetic in an IANA time zone with nothing but Intl, so the domain needs no date
 * library. Quiet hours are written as local "HH:MM" and must be judged in the recipient's zone.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    if (formatters.size < 1000) formatters.set(timeZone, f);
  }
  return f;
}

/** Seconds since local midnight at `instant` in `timeZone`. */
export function localSecondOfDay(instant: Date, timeZone: string): number {
  let h = 0;
  let m = 0;
  let s = 0;
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type === 'hour') h = Number(part.value);
    else if (part.type === 'minute') m = Number(part.value);
    else if (part.type === 'second') s = Number(part.value);
  }
  return h * 3600 + m * 60 + s;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isHhMm(value: string): boolean {
  return HHMM.test(value);
}

/** "22:30" → minutes after midnight. */
export function parseHhMm(value: string): number {
  const m = HHMM.exec(value);
  if (!m) throw new Error(`not a HH:MM time: ${value}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export interface QuietWindow {
  /** Local "HH:MM" the window opens. */
  start: string;
  /** Local "HH:MM" the window closes; before `start` means it spans midnight. */
  end: string;
}

/**
 * When the quiet window that contains `now` ends, or null when `now` is outside it (or the window is
 * empty: start = end). The answer is the first instant at or after `now` whose local time is `end`;
 * a DST change inside the window is corrected for by re-reading the local time of the first guess.
 */
export function quietWindowEnd(now: Date, timeZone: string, window: QuietWindow): Date | null {
  const start = parseHhMm(window.start) * 60;
  const end = parseHhMm(window.end) * 60;
  if (start === end) return null;
  const local = localSecondOfDay(now, timeZone);
  const inside = start < end ? local >= start && local < end : local >= start || local < end;
  if (!inside) return null;
  const day = 86_400;
  const wait = (end - local + day) % day;
  // Local times are read to the second; start from the whole second so the end lands exactly on it.
  const second = Math.floor(now.getTime() / 1000) * 1000;
  let guess = second + wait * 1000;
  const drift = ((localSecondOfDay(new Date(guess), timeZone) - end + day + day / 2) % day) - day / 2;
  guess -= drift * 1000;
  return new Date(Math.max(guess, second + 1000));
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const weekdayFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local day of the week at `instant` in `timeZone`. */
export function localWeekday(instant: Date, timeZone: string): Weekday {
  let f = weekdayFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' });
    if (weekdayFormatters.size < 1000) weekdayFormatters.set(timeZone, f);
  }
  return f.format(instant).slice(0, 3).toLowerCase() as Weekday;
}
