/**
 * PostgreSQL text and jsonb cannot hold U+0000, and a UTF-16 surrogate without its pair is no
 * character at all (it cannot be encoded as UTF-8). Either would reach the database as an error, so
 * input is checked for them where it enters, and refused with the place it was found.
 */

/** True when PostgreSQL can store the string as text. */
export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && s.isWellFormed();
}

/** The string with NUL and lone surrogates written as `\uXXXX`, safe to echo in an error. */
export function escapeUnstorable(s: string): string {
  return s.replace(
    /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const pointerSegment = (key: string) => escapeUnstorable(key).replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Parsed input: plain objects, and the prototype-less records query and path parsers make. Not a
 * stream or binary body, which are read elsewhere.
 */
const isRecord = (v: object): boolean =>
  !ArrayBuffer.isView(v) &&
  !(v instanceof ArrayBuffer) &&
  typeof (v as { pipe?: unknown }).pipe !== 'function';

/** Where a value sits: its parent's place and its key there (the pointer is built only if needed). */
interface Place {
  parent: Place | null;
  key: string;
}

const pointer = (place: Place | null): string => {
  const keys: string[] = [];
  for (let p = place; p; p = p.parent) keys.push(pointerSegment(p.key));
  return keys.length === 0 ? '/' : `/${keys.reverse().join('/')}`;
};

/**
 * A quick pass for the common case: JSON.stringify (native, one string) writes a NUL as `\u0000` and a
 * lone surrogate as `\udXXX`, so JSON text with neither escape holds no unstorable string or key.
 * A match may be a false alarm (a backslash the caller wrote), and anything JSON cannot write
 * (a cycle) is left to the walk below, which then finds the place.
 */
function plainlyStorable(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'string' || isStorableText(value);
  try {
    const text = JSON.stringify(value);
    return text !== undefined && !/\\u(?:0000|d[89a-f])/i.test(text);
  } catch {
    return false;
  }
}

/**
 * The JSON pointer (RFC 6901) of the first string, or object key, that cannot be stored; null when
 * there is none. Walks without recursion, so no nesting depth a body limit allows can exhaust the
 * stack. Every request body goes through here, so the walk builds no path unless it finds something.
 */
export function findUnstorableText(value: unknown): string | null {
  if (plainlyStorable(value)) return null;
  const values: unknown[] = [value];
  const places: (Place | null)[] = [null];
  const seen = new Set<object>();
  while (values.length > 0) {
    const v = values.pop();
    const place = places.pop() ?? null;
    if (typeof v === 'string') {
      if (!isStorableText(v)) return pointer(place);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        values.push(v[i]);
        places.push({ parent: place, key: String(i) });
      }
    } else if (isRecord(v)) {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        if (!isStorableText(key)) return pointer({ parent: place, key });
        values.push((v as Record<string, unknown>)[key]);
        places.push({ parent: place, key });
      }
    }
  }
  return null;
}
