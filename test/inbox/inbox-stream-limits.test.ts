/**
 * A recipient holds at most `inbox.maxStreamsPerRecipient` (default 10) realtime streams on one API
 * process, WebSocket and SSE together. One more is refused with a plain HTTP 429 `too_many_streams`
 * before the upgrade or the event stream starts; closing a stream frees its slot; other recipients
 * are not affected.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { Herald } from '../../src/main.ts';
import { client, eventually } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import {
  addRecipients,
  hmacHeaders,
  inboxService,
  openStream,
  ticketFor,
  type InboxService,
  type StreamClient,
} from '../helpers/inbox.ts';

interface Sse {
  status: number;
  body: any;
  /** Held so the open stream is not collected: fetch cancels the body of a collected Response. */
  response: Response;
  close(): void;
}

describe('concurrent inbox streams per recipient', { timeout: 60_000 }, () => {
  let herald: Herald;
  let url: string;
  let svc: InboxService;
  const open: { ws: StreamClient[]; sse: Sse[] } = { ws: [], sse: [] };

  before(async () => {
    herald = await startInProcess({ worker: false });
    url = herald.url ?? '';
    svc = await inboxService(url, client(url, TEST_ADMIN_TOKEN));
    await addRecipients(svc, ['ann', 'bob']);
  });
  after(async () => {
    for (const s of open.sse) s.close();
    await Promise.all(open.ws.map((w) => w.close()));
    await herald?.stop();
  });

  /** Opens an SSE stream with the recipient headers; a refusal's JSON body is read. */
  const sse = async (recipient: string): Promise<Sse> => {
    const stop = new AbortController();
    const res = await fetch(`${url}/v1/inbox/events`, {
      headers: hmacHeaders(svc, recipient),
      signal: stop.signal,
    });
    const body = res.status === 200 ? null : await res.json();
    return { status: res.status, body, response: res, close: () => stop.abort() };
  };

  /** A WebSocket upgrade that the server answers with HTTP instead: its status and JSON body. */
  const refusedUpgrade = async (recipient: string) => {
    const ticket = await ticketFor(url, svc, recipient);
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/inbox/stream?ticket=${ticket}`);
    return new Promise<{ status: number; body: any }>((resolve, reject) => {
      socket.once('open', () => {
        socket.close();
        reject(new Error('the upgrade was accepted'));
      });
      socket.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      socket.once('error', () => undefined);
    });
  };

  it('refuses the 11th stream with 429 too_many_streams, WebSocket and SSE alike', async () => {
    for (let i = 0; i < 6; i++) open.ws.push(await openStream(url, await ticketFor(url, svc, 'ann')));
    for (let i = 0; i < 4; i++) {
      const s = await sse('ann');
      assert.equal(s.status, 200);
      open.sse.push(s);
    }

    const ws = await refusedUpgrade('ann');
    assert.equal(ws.status, 429);
    assert.equal(ws.body.error.code, 'too_many_streams');
    assert.equal(ws.body.error.details.limit, 10);
    const events = await sse('ann');
    assert.equal(events.status, 429);
    assert.equal(events.body.error.code, 'too_many_streams');

    // Another recipient of the same service has slots of its own.
    const bob = await openStream(url, await ticketFor(url, svc, 'bob'));
    await bob.waitFor((m) => m[0]?.type === 'ready', 'ready');
    await bob.close();
  });

  it('gives a slot back when a WebSocket closes', async () => {
    await open.ws.shift()?.close();
    const again = await eventually(
      async () => openStream(url, await ticketFor(url, svc, 'ann')).catch(() => null),
      { what: 'a WebSocket in the freed slot' },
    );
    open.ws.push(again);
    assert.equal((await sse('ann')).status, 429, 'full again');
  });

  it('gives a slot back when an SSE stream closes', async () => {
    open.sse.shift()?.close();
    const again = await eventually(
      async () => {
        const s = await sse('ann');
        return s.status === 200 ? s : null;
      },
      { what: 'an SSE stream in the freed slot' },
    );
    open.sse.push(again);
    assert.equal((await refusedUpgrade('ann')).status, 429, 'full again');
  });
});
