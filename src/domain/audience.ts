/**
 * Who a notification goes to. One recipient is planned at once; every other audience is a broadcast,
 * planned in batches in recipient-id order so a stored cursor (the last id written) resumes it.
 */

export type Audience =
  | { kind: 'recipients'; ids: string[] }
  | { kind: 'topic'; topic: string }
  | { kind: 'all' }
  | { kind: 'list'; id: string };

/** Inline lists stay small enough to keep in the notification row and in memory. */
export const MAX_INLINE_RECIPIENTS = 10_000;

/** Sorted, without duplicates, so the planner can page through it by id like any other source. */
export function normaliseIds(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort(compareIds);
}

/** Byte order: inline lists are paged and resumed in JS, so any fixed order will do; this one is stable. */
export function compareIds(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

/** One uploaded line: a recipient id and, optionally, data that only this recipient's templates see. */
export interface AudienceLine {
  id: string;
  data: Record<string, unknown> | null;
}

export type LineFormat = 'ndjson' | 'csv';

export class LineError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

const ID = /^[^\s\u0000-\u001f/]{1,256}$/;

function checkId(id: unknown, line: number): string {
  if (typeof id !== 'string' || !ID.test(id))
    throw new LineError(line, 'the recipient id must be 1 to 256 characters, without spaces or slashes');
  return id;
}

/** NDJSON: `"ann"` or `{"id":"ann","data":{...}}` per line. Blank lines are skipped (null). */
export function parseNdjsonLine(text: string, line: number): AudienceLine | null {
  const t = text.trim();
  if (t === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    throw new LineError(line, 'is not JSON');
  }
  if (typeof value === 'string') return { id: checkId(value, line), data: null };
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const { id, data } = value as { id?: unknown; data?: unknown };
    if (data !== undefined && (data === null || typeof data !== 'object' || Array.isArray(data)))
      throw new LineError(line, '`data` must be an object');
    return { id: checkId(id, line), data: (data as Record<string, unknown> | undefined) ?? null };
  }
  throw new LineError(line, 'must be a string id or an object with `id`');
}

/** Splits one CSV record (RFC 4180 quoting, no line breaks inside fields). */
export function splitCsv(text: string, line: number): string[] {
  const out: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i <= text.length) {
    const c = text[i];
    if (quoted) {
      if (c === undefined) throw new LineError(line, 'has an unterminated quoted field');
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',' || c === undefined) {
      out.push(field);
      field = '';
    } else field += c;
    i++;
  }
  return out;
}

/**
 * CSV: the first record is a header whose first column is `id`; other columns become the recipient's
 * data, as strings. Returns a parser for the following lines.
 */
export function csvParser(header: string): (text: string, line: number) => AudienceLine | null {
  const columns = splitCsv(header.replace(/\r$/, ''), 1);
  if (columns[0]?.trim() !== 'id') throw new LineError(1, 'the CSV header must start with an `id` column');
  const names = columns.slice(1).map((c) => c.trim());
  return (text, line) => {
    const t = text.replace(/\r$/, '');
    if (t.trim() === '') return null;
    const fields = splitCsv(t, line);
    const id = checkId(fields[0]?.trim(), line);
    if (names.length === 0) return { id, data: null };
    const data: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const v = fields[i + 1];
      if (v !== undefined) data[name] = v;
    });
    return { id, data };
  };
}
