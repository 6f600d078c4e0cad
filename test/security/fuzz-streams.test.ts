/**
 * Fuzzing the inbox streams past authentication. fuzz.test.ts reaches /v1/inbox/events only with
 * made-up credentials (and /v1/inbox/stream not at all: WebSocket routes are not in the OpenAPI
 * document), so it never gets beyond the 401. Here the recipient is real (a valid ticket or valid
 * HMAC headers) and the rest is hostile: query strings, Last-Event-ID headers, and on the WebSocket
 * garbage, invalid JSON, binary, invalid UTF-8 and oversized frames. Herald must never answer 500 or
 * crash, must refuse with the JSON error (HTTP) or a documented close code (WebSocket), and the
 * recipient's other connection must keep working throughout. FUZZ_RUNS scales it like fuzz.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import WebSocket from 'ws';
import type { Herald } from '../../src/main.ts';
import { client, registerService } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import {
  addRecipients,
  hmacHeaders,
  inboxCredentials,
  openStream,
  ticketFor,
  type InboxService,
  type StreamClient,
} from '../helpers/inbox.ts';

const RUNS = Math.max(5, Math.round(Number(process.env.FUZZ_RUNS ?? 60) / 3));
/** What the server may close a fuzzed WebSocket with: too big, bad UTF-8, protocol error, or dropped. */
const CLOSE_CODES = new Set([1009, 1007, 1002, 1006]);

const hostileValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.constantFrom(
    '',
    '-1',
    '0',
    '00',
    '1e3',
    '0x10',
    ' 1',
    '999999999999999',
    '9999999999999999',
    '1'.repeat(4000),
  ),
);
/** Header values must be Latin-1 without control characters, or fetch refuses to send them. */
const headerValue = hostileValue
  .map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '').trim())
  .filter((s) => s !== '');
const extraQuery = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('ticket', 'since', 'limit')),
  hostileValue,
  { maxKeys: 3 },
);

/** Mostly absent or plausible, so that most cases get past validation to the stream itself. */
const sometimes = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: valid },
    { weight: 2, arbitrary: hostile },
  );
const position = fc.integer({ min: 0, max: 999_999_999_999_999 }).map(String);
const since = sometimes(position, hostileValue);
const lastEventId = sometimes(position, headerValue);
const query = fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extraQuery });

/** One thing a client might push down a stream the server never reads from. */
const frame = fc.oneof(
  fc.string({ maxLength: 200 }).map((text) => ({ kind: 'text' as const, data: text })),
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ kind: 'text' as const, data: JSON.stringify(v) })),
  fc
    .constantFrom('{', '{"type":"ack","id":', 'null', '[]', '\u0000')
    .map((t) => ({ kind: 'text' as const, data: t })),
  fc.uint8Array({ maxLength: 2048 }).map((b) => ({ kind: 'binary' as const, data: Buffer.from(b) })),
  fc.constant({ kind: 'badUtf8' as const, data: Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0xfe]) }),
  fc
    .integer({ min: 64 * 1024 + 1, max: 200 * 1024 })
    .map((n) => ({ kind: 'huge' as const, data: 'x'.repeat(n) })),
);

describe('fuzzing the inbox streams as a real recipient', { timeout: 120_000 }, () => {
  let herald: Herald;
  let base: string;
  let svc: InboxService;
  let witness: StreamClient;

  before(async () => {
    // The limits have tests of their own; here a fuzz case must never be refused for speed.
    herald = await startInProcess({
      worker: false,
      config: { recipientRateLimit: { perSecond: 1_000_000 } },
    });
    base = herald.url ?? '';
    const service = await registerService(client(base, TEST_ADMIN_TOKEN), 'Streams');
    const api = client(base, service.apiKey);
    const secret = await api.post('/v1/inbox/secret');
    assert.equal(secret.status, 201);
    svc = { id: service.id, api, ...inboxCredentials(secret.body) };
    await addRecipients(svc, ['ann']);
    witness = await openStream(base, await ticketFor(base, svc, 'ann'));
    await witness.waitFor((m) => m[0]?.type === 'ready', 'the witness ready');
  });
  after(async () => {
    await witness?.close();
    await herald?.stop();
  });

  /** The witness stream, opened before the fuzzing, still answers; so does a fresh one. */
  const assertRecipientStillServed = async () => {
    assert.equal(witness.socket.readyState, WebSocket.OPEN, 'the witness stream is still open');
    await new Promise<void>((resolve) => {
      witness.socket.once('pong', () => resolve());
      witness.socket.ping();
    });
    const fresh = await openStream(base, await ticketFor(base, svc, 'ann'));
    await fresh.waitFor((m) => m[0]?.type === 'ready', 'a fresh stream ready');
    await fresh.close();
  };

  it('SSE: hostile query strings and Last-Event-ID get the stream or a JSON error, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('ticket', 'headers'),
        query,
        since,
        lastEventId,
        async (auth, extra, since, lastEventId) => {
          const params = new URLSearchParams(extra);
          if (since !== undefined) params.append('since', since);
          const headers: Record<string, string> = {};
          if (auth === 'ticket') params.append('ticket', await ticketFor(base, svc, 'ann'));
          else Object.assign(headers, hmacHeaders(svc, 'ann'));
          if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
          const stop = new AbortController();
          const res = await fetch(`${base}/v1/inbox/events?${params.toString()}`, {
            headers,
            signal: stop.signal,
          });
          const label = `${auth} ?${params.toString().slice(0, 200)} last-event-id=${String(lastEventId).slice(0, 40)} → ${res.status}`;
          try {
            if (res.status === 200) {
              const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
              const first = await reader.read();
              assert.match(first.value ?? '', /^data: \{"type":"ready"/, label);
              return;
            }
            assert.ok([400, 401, 422].includes(res.status), label);
            assert.match(res.headers.get('content-type') ?? '', /application\/json/, label);
            const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
            assert.equal(typeof body.error?.code, 'string', label);
            assert.equal(typeof body.error?.message, 'string', label);
          } finally {
            stop.abort();
          }
        },
      ),
      { numRuns: RUNS },
    );
    await assertRecipientStillServed();
  });

  it('WebSocket: hostile `since` and frames end in ready, a JSON refusal or a documented close', async () => {
    await fc.assert(
      fc.asyncProperty(
        query,
        since,
        fc.array(frame, { minLength: 1, maxLength: 4 }),
        async (extra, since, frames) => {
          const url = new URL('/v1/inbox/stream', base.replace(/^http/, 'ws'));
          for (const [k, v] of Object.entries(extra)) url.searchParams.append(k, v);
          url.searchParams.append('ticket', await ticketFor(base, svc, 'ann'));
          if (since !== undefined) url.searchParams.set('since', since);
          const socket = new WebSocket(url);
          const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
          socket.on('error', () => undefined);
          const opened = await new Promise<{ ready: boolean } | { status: number; body: string }>(
            (resolve) => {
              socket.once('message', (data: Buffer) =>
                resolve({ ready: (JSON.parse(data.toString()) as { type?: string }).type === 'ready' }),
              );
              socket.once('unexpected-response', (_req, res) => {
                let body = '';
                res.on('data', (c: Buffer) => (body += c.toString()));
                res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
              });
            },
          );
          const label = `${url.search.slice(0, 200)} ${frames.map((f) => f.kind).join(',')}`;
          if ('status' in opened) {
            assert.ok([400, 401, 422].includes(opened.status), `${label} → ${opened.status}`);
            const body = JSON.parse(opened.body) as { error?: { code?: unknown } };
            assert.equal(typeof body.error?.code, 'string', label);
            return;
          }
          assert.ok(opened.ready, `${label}: the first message is ready`);
          for (const f of frames) {
            if (socket.readyState !== WebSocket.OPEN) break;
            socket.send(f.data, { binary: f.kind === 'binary' });
          }
          const mustClose = frames.some((f) => f.kind === 'huge' || f.kind === 'badUtf8');
          const outcome = await Promise.race([
            closed.then((code) => ({ closed: code })),
            new Promise<{ pong: true }>((resolve) => {
              socket.once('pong', () => resolve({ pong: true }));
              if (socket.readyState === WebSocket.OPEN) socket.ping();
            }),
          ]);
          if ('closed' in outcome) {
            assert.ok(CLOSE_CODES.has(outcome.closed), `${label}: closed with ${outcome.closed}`);
          } else {
            assert.equal(mustClose, false, `${label}: a bad frame was let through`);
          }
          socket.close();
          await closed;
        },
      ),
      { numRuns: RUNS },
    );
    await assertRecipientStillServed();
  });
});
