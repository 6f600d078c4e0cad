/**
 * The realtime streams on embedded PGlite: a client that loses its connection and comes back with its
 * last event id gets exactly what it missed, once, in order (WebSocket with `since`, SSE with
 * `Last-Event-ID`); updates and counts stream too; heartbeats flow; an impossible position resets.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { client, waitForNotification } from '../helpers/api.ts';
import { tempDir } from '../helpers/herald-process.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import {
  addRecipients,
  hmacHeaders,
  inboxService,
  openStream,
  recipientClient,
  sendInApp,
  ticketFor,
  type InboxService,
} from '../helpers/inbox.ts';
import type { Herald } from '../../src/main.ts';

/** Event ids must be consecutive: nothing skipped, nothing twice. */
function assertConsecutive(events: { id: string }[], from: number) {
  assert.deepEqual(
    events.map((e) => Number(e.id)),
    events.map((_, i) => from + i),
  );
}

/** Reads an SSE response into parsed messages, with each event's `id:` line kept. */
async function readSse(res: Response, messages: any[], stop: AbortSignal) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    while (!stop.aborted) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = /^data: (.*)$/m.exec(block)?.[1];
        const id = /^id: (.*)$/m.exec(block)?.[1];
        if (data) messages.push({ ...JSON.parse(data), sseId: id });
      }
    }
  } catch {
    /* aborted */
  }
}

describe('inbox realtime streams', { timeout: 90_000 }, () => {
  let herald: Herald;
  let url: string;
  let svc: InboxService;

  before(async () => {
    const dir = tempDir();
    const config = join(dir, 'herald.json');
    writeFileSync(config, JSON.stringify({ inbox: { heartbeatMs: 1000 } }));
    herald = await startInProcess({ env: { HERALD_CONFIG: config } });
    url = herald.url ?? '';
    svc = await inboxService(url, client(url, TEST_ADMIN_TOKEN));
    await addRecipients(svc, ['ann', 'bo', 'cy', 'dee']);
  });
  after(async () => herald?.stop());

  it('WebSocket: after a dropped connection, three notifications arrive exactly once on resume', async () => {
    const first = await openStream(url, await ticketFor(url, svc, 'ann'));
    await first.waitFor((m) => m[0]?.type === 'ready', 'ready');
    assert.deepEqual(first.messages[0].counts, { unread: 0, unseen: 0 });
    await sendInApp(svc, 'ann', { title: 'before the drop', body: 'x' });
    await first.waitFor((m) => m.some((x) => x.type === 'item.created'), 'the first item');
    const lastId = first.events().at(-1).id;
    first.kill();

    const ids = [];
    for (const n of [1, 2, 3]) ids.push(await sendInApp(svc, 'ann', { title: `missed ${n}`, body: 'x' }));
    for (const id of ids) await waitForNotification(svc.api, id);

    const second = await openStream(url, await ticketFor(url, svc, 'ann'), lastId);
    // A marker sent after the reconnect: once it is in, anything duplicated would be in too.
    await sendInApp(svc, 'ann', { title: 'marker', body: 'x' });
    await second.waitFor((m) => m.some((x) => x.item?.title === 'marker'), 'the marker');
    const events = second.events();
    assert.deepEqual(
      events.map((e) => e.item.title),
      ['missed 1', 'missed 2', 'missed 3', 'marker'],
    );
    assertConsecutive(events, Number(lastId) + 1);
    assert.deepEqual(events.at(-1).counts, { unread: 5, unseen: 5 });
    await second.close();
  });

  it('SSE: resumes from Last-Event-ID with header credentials, missing nothing', async () => {
    const r = recipientClient(url, svc, 'bo');
    await sendInApp(svc, 'bo', { title: 'one', body: 'x' });
    await sendInApp(svc, 'bo', { title: 'two', body: 'x' });
    const { lastEventId } = (
      await eventuallyCounts(
        () => r.get('/v1/inbox/counts'),
        (b) => b.lastEventId === '2',
      )
    ).body;
    for (const n of [3, 4, 5])
      await waitForNotification(svc.api, await sendInApp(svc, 'bo', { title: `n${n}`, body: 'x' }));

    const stop = new AbortController();
    const res = await fetch(`${url}/v1/inbox/events`, {
      headers: { ...hmacHeaders(svc, 'bo'), 'last-event-id': lastEventId },
      signal: stop.signal,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const messages: any[] = [];
    const reading = readSse(res, messages, stop.signal);
    await sendInApp(svc, 'bo', { title: 'marker', body: 'x' });
    await until(() => messages.some((m) => m.item?.title === 'marker'), 'the marker over SSE');
    const events = messages.filter((m) => m.id !== undefined);
    assert.deepEqual(
      events.map((e) => e.item.title),
      ['n3', 'n4', 'n5', 'marker'],
    );
    assertConsecutive(events, 3);
    assert.deepEqual(
      events.map((e) => e.sseId),
      ['3', '4', '5', '6'],
    );
    // Heartbeats keep flowing while nothing happens (every second in this configuration).
    await until(() => messages.some((m) => m.type === 'heartbeat'), 'a heartbeat');
    stop.abort();
    await reading;
  });

  it('streams updates and counts to every connection of the recipient, each in order', async () => {
    const a = await openStream(url, await ticketFor(url, svc, 'cy'));
    await a.waitFor((m) => m[0]?.type === 'ready', 'ready');
    const sends = Array.from({ length: 12 }, (_, i) =>
      sendInApp(svc, 'cy', { title: `burst ${i}`, body: 'x' }),
    );
    // A second connection joins from the very start while the burst is being written.
    const b = await openStream(url, await ticketFor(url, svc, 'cy'), '0');
    await Promise.all(sends);
    await a.waitFor((m) => m.filter((x) => x.type === 'item.created').length === 12, 'the burst on a');
    const target = a.events()[0].item.id;
    const read = await recipientClient(url, svc, 'cy').post(`/v1/inbox/items/${target}/read`);
    assert.equal(read.status, 200);
    for (const s of [a, b]) {
      await s.waitFor((m) => m.some((x) => x.type === 'item.updated'), 'the update');
      const events = s.events();
      assertConsecutive(events, 1);
      assert.equal(events.length, 13);
      const update = events.at(-1);
      assert.equal(update.item.id, target);
      assert.ok(update.item.readAt);
      assert.deepEqual(update.counts, { unread: 11, unseen: 11 });
    }
    await a.close();
    await b.close();
  });

  it('tells a client whose position is from the future to reset', async () => {
    const s = await openStream(url, await ticketFor(url, svc, 'dee'), '999');
    await s.waitFor((m) => m.length >= 2, 'ready and reset');
    assert.equal(s.messages[0].type, 'ready');
    assert.equal(s.messages[1].type, 'reset');
    await s.close();
  });
});

async function until(check: () => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function eventuallyCounts(get: () => Promise<{ body: any }>, ok: (b: any) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await get();
    if (ok(res.body)) return res;
    if (Date.now() > deadline) throw new Error(`counts never matched: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
