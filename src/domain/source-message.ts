/**
 * Reading an event out of a broker message, by the source's configuration: the name and id from a
 * header, a field of the JSON body, the message's address, or a constant; the payload from the body.
 * Pure: a message that cannot be read gives the reason, which the runner keeps on a `dead` event.
 */
import { findUnstorableText } from './storable-text.ts';
import { resolvePointer } from './trigger-rules.ts';

export type ValueSpec = { header: string } | { field: string } | { address: true } | { value: string };

export interface ReadSpec {
  eventName: ValueSpec;
  eventId: ValueSpec;
  /** JSON Pointer to the payload object in the body; the whole body when absent. */
  payload?: string;
}

export interface RawMessage {
  body: Uint8Array;
  headers: Record<string, string>;
  address: string;
}

export interface ReadEvent {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

export type ReadResult = { ok: true; event: ReadEvent } | { ok: false; reason: string; name: string };

/** The same limits `POST /v1/events` applies (http/routes/events.ts, triggers.ts). */
const EVENT_ID = /^[^\s\u0000-\u001f/]{1,200}$/;
const EVENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const MAX_PAYLOAD_KEYS = 1000;

const describe = (spec: ValueSpec) =>
  'header' in spec
    ? `header '${spec.header}'`
    : 'field' in spec
      ? `field '${spec.field}'`
      : 'address' in spec
        ? 'the message address'
        : 'the configured value';

function readValue(spec: ValueSpec, message: RawMessage, body: () => unknown): unknown {
  if ('header' in spec) return message.headers[spec.header];
  if ('address' in spec) return message.address;
  if ('value' in spec) return spec.value;
  return resolvePointer(body(), spec.field);
}

export function readEvent(spec: ReadSpec, message: RawMessage): ReadResult {
  let parsed: { ok: true; value: unknown } | { ok: false; reason: string } | undefined;
  const body = () => {
    if (!parsed) {
      try {
        parsed = {
          ok: true,
          value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(message.body)),
        };
      } catch (err) {
        parsed = { ok: false, reason: `body is not JSON: ${(err as Error).message}` };
      }
    }
    return parsed.ok ? parsed.value : undefined;
  };
  const rawName = readValue(spec.eventName, message, body);
  const name = typeof rawName === 'string' && EVENT_NAME.test(rawName) ? rawName : '';
  const fail = (reason: string): ReadResult => ({ ok: false, reason, name });
  const doc = body();
  if (parsed && !parsed.ok) return fail(parsed.reason);
  if (typeof rawName !== 'string' || rawName === '')
    return fail(`no event name in ${describe(spec.eventName)}`);
  if (!name) return fail(`event name from ${describe(spec.eventName)} is not a valid event name`);
  const id = readValue(spec.eventId, message, body);
  const idText = typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : id;
  if (typeof idText !== 'string' || idText === '') return fail(`no event id in ${describe(spec.eventId)}`);
  if (!EVENT_ID.test(idText))
    return fail(
      `event id from ${describe(spec.eventId)} is not a valid id (1-200 characters, no spaces or '/')`,
    );
  const payload = spec.payload ? resolvePointer(doc, spec.payload) : doc;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
    return fail(`payload${spec.payload ? ` at '${spec.payload}'` : ''} is not a JSON object`);
  if (Object.keys(payload).length > MAX_PAYLOAD_KEYS)
    return fail(`payload has more than ${MAX_PAYLOAD_KEYS} keys`);
  const unstorable = findUnstorableText(payload);
  if (unstorable !== null)
    return fail(`payload holds a NUL character or an unpaired surrogate at ${unstorable}`);
  return { ok: true, event: { id: idText, name, payload: payload as Record<string, unknown> } };
}
