/**
 * Opaque cursors for lists ordered by (a timestamp, id): base64url JSON holding the last row's time
 * as PostgreSQL's own text (microseconds kept; a JS Date would drop them and skip or repeat rows
 * that share a millisecond) and its id. Anything else is refused with a 422 naming the cursor.
 */
import { invalid } from '../domain/errors.ts';
import { isStorableTimestamp } from './formats.ts';

export const encodeTimeCursor = (c: object): string => Buffer.from(JSON.stringify(c)).toString('base64url');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STAMP = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.\d{1,6})?[+-](\d\d)(?::(\d\d))?$/;

/** The cursor's `field` (a timestamp text) and `id`, or a 422 for the `cursor` query parameter. */
export function decodeTimeCursor<K extends string>(text: string, field: K): Record<K | 'id', string> {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<string, unknown>;
    const at = c[field];
    const m = typeof at === 'string' ? STAMP.exec(at) : null;
    const [y, mo, d, h, mi, s, oh, om] = (m?.slice(1) ?? []).map((v) => Number(v ?? 0));
    if (
      typeof at === 'string' &&
      m &&
      isStorableTimestamp(y ?? 0, mo ?? 0, d ?? 0, h ?? 0, mi ?? 0, s ?? 0, oh, om) &&
      typeof c.id === 'string' &&
      UUID.test(c.id)
    )
      return { [field]: at, id: c.id } as Record<K | 'id', string>;
  } catch {
    /* answered below */
  }
  throw invalid('validation_failed', 'The cursor is not one this API gave out.', [
    { in: 'querystring', path: '/cursor', message: 'must be a cursor from a previous page' },
  ]);
}
