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

export const customFormats: Record<string, (value: string) => boolean> = {
  e164: isE164,
  'iana-timezone': isIanaTimeZone,
  bcp47: isBcp47,
};
