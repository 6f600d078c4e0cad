/** String formats the schemas use beyond ajv-formats: E.164 phones, IANA time zones, BCP 47 tags. */
import { createRequire } from 'node:module';
import type * as Phones from 'libphonenumber-js/max';

const E164 = /^\+[1-9]\d{1,14}$/;

// The full numbering plan metadata is several megabytes once loaded; it is loaded at the first phone
// number to check (synchronously: ajv formats are synchronous), not at start.
const require = createRequire(import.meta.url);
let isValidPhoneNumber: ((value: string) => boolean) | undefined;

export const isE164 = (value: string): boolean =>
  E164.test(value) &&
  (isValidPhoneNumber ??= (require('libphonenumber-js/max') as typeof Phones).isValidPhoneNumber)(value);

const zoneCache = new Map<string, boolean>();
export function isIanaTimeZone(value: string): boolean {
  let ok = zoneCache.get(value);
  if (ok === undefined) {
    try {
      // Intl accepts exactly the zones in the runtime's IANA database (and rejects offsets like "+05").
      ok =
        /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(value) &&
        new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone.length > 0;
    } catch {
      ok = false;
    }
    if (zoneCache.size < 1000) zoneCache.set(value, ok);
  }
  return ok;
}

export function isBcp47(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

const daysIn = (year: number, month: number) =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/**
 * A real calendar date and time of day that PostgreSQL can store: years 0001–9999 (PostgreSQL has no
 * year 0), each month's own number of days, hours below 24 and an offset below a day. Every fields'
 * range is checked here so that a well-formed but impossible stamp is the caller's error, not a 500
 * from the database.
 */
export function isStorableTimestamp(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  offsetHours = 0,
  offsetMinutes = 0,
): boolean {
  return (
    year >= 1 &&
    year <= 9999 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 60 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  );
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.\d{1,9})?(?:[Zz]|[+-](\d\d):(\d\d))$/;

/** The instants PostgreSQL's timestamptz and JavaScript's Date both hold: 0001-01-01 to 9999-12-31, UTC. */
const FIRST_INSTANT = Date.parse('0001-01-01T00:00:00Z');
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * RFC 3339 `date-time`, limited to what PostgreSQL stores (replaces ajv-formats' own, which allows year
 * 0). The instant itself must fall within years 0001–9999 in UTC too (an offset can push a stamp past
 * either end), and JavaScript's Date must read it: it has no leap second, so `:60` is refused.
 */
export function isDateTime(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [y, mo, d, h, mi, s, oh, om] = m.slice(1).map((v) => Number(v ?? 0));
  if (!isStorableTimestamp(y ?? 0, mo ?? 0, d ?? 0, h ?? 0, mi ?? 0, s ?? 0, oh, om)) return false;
  const instant = Date.parse(value);
  return Number.isFinite(instant) && instant >= FIRST_INSTANT && instant <= LAST_INSTANT;
}

export const customFormats: Record<string, (value: string) => boolean> = {
  'date-time': isDateTime,
  e164: isE164,
  'iana-timezone': isIanaTimeZone,
  bcp47: isBcp47,
};
