/**
 * What one service's users can and cannot do with the inbox's credentials and streams:
 * - an HMAC the service hands out for an id shaped like `header.payload` is not a JWT for anyone
 *   (the HMAC and the JWT are keyed by two keys derived from the inbox secret);
 * - a service's recipients together, and the whole process, hold at most so many streams;
 * - an HMAC login for a recipient the service does not have holds no stream and gets no ticket.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Herald } from '../../src/main.ts';
import { client, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import {
  addRecipients,
  hmacHeaders,
  hmacOf,
  inboxService,
  recipientJwt,
  sendInApp,
  type InboxService,
} from '../helpers/inbox.ts';
import { eventually } from '../helpers/api.ts';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An SSE stream opened with recipient headers; a refusal's JSON body is read, an open one kept. */
async function sse(url: string, headers: Record<string, string>) {
  const stop = new AbortController();
  const res = await fetch(`${url}/v1/inbox/events`, { headers, signal: stop.signal });
  const body = res.status === 200 ? null : await res.json();
  return { status: res.status, body, response: res, close: () => stop.abort() };
}

describe('inbox credentials and streams between services', { timeout: 90_000 }, () => {
  let herald: Herald;
  let url: string;
  let svc: InboxService;
  let other: InboxService;
  let third: InboxService;
  let admin: Client;
  const opened: { close(): void }[] = [];

  before(async () => {
    herald = await startInProcess({
      config: { inbox: { maxStreamsPerRecipient: 2, maxStreamsPerService: 3, maxStreams: 5 } },
    });
    url = herald.url ?? '';
    admin = client(url, TEST_ADMIN_TOKEN);
    svc = await inboxService(url, admin, 'Open ids');
    other = await inboxService(url, admin, 'Other');
    third = await inboxService(url, admin, 'Third');
  });
  after(async () => {
    for (const s of opened) s.close();
    await herald?.stop();
  });

  it('gives two different keys, and an HMAC for an id shaped like a JWT is not a JWT', async () => {
    await sendInApp(svc, 'victim', { title: 'For the victim only', body: 'private' });
    await eventually(
      async () => {
        const res = await client(url, await recipientJwt(svc, 'victim')).get('/v1/inbox/items');
        return res.body.data?.length === 1;
      },
      { what: "the victim's item" },
    );

    // The attacker signs up with a recipient id of their choosing: a JWT header and payload.
    const shaped = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({
      iss: svc.id,
      sub: 'victim',
      exp: Math.floor(Date.now() / 1000) + 600,
    })}`;
    // The service's backend signs the user's own id, as it should, and the HMAC login works for it.
    const hmac = hmacOf(svc.hmacKey, shaped);
    assert.equal((await client(url).get('/v1/inbox/counts', hmacHeaders(svc, shaped, hmac))).status, 200);
    // The same bytes as an HS256 signature: with one key for both kinds, this read the victim's inbox.
    const forged = `${shaped}.${Buffer.from(hmac, 'hex').toString('base64url')}`;
    const res = await client(url, forged).get('/v1/inbox/items');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'unauthorized');
    assert.equal(res.body.data, undefined);
    // And a JWT signature is no HMAC: the JWT key's output does not log in as a recipient either.
    const jwt = await recipientJwt(svc, 'victim');
    const sig = Buffer.from(jwt.split('.')[2] ?? '', 'base64url').toString('hex');
    const asHmac = await client(url).get(
      '/v1/inbox/items',
      hmacHeaders(svc, jwt.split('.').slice(0, 2).join('.'), sig),
    );
    assert.equal(asHmac.status, 401);

    // The service is given both keys; neither is the secret they come from.
    const got = await svc.api.get('/v1/inbox/secret');
    assert.equal(got.status, 200);
    assert.match(got.body.hmacKey, /^hih_[A-Za-z0-9_-]{43}$/);
    assert.match(got.body.jwtKey, /^hij_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(got.body.hmacKey, got.body.jwtKey);
    assert.notEqual(got.body.hmacKey, got.body.secret);
  });

  it('refuses a stream and a ticket to a recipient the service does not have', async () => {
    const ghost = hmacHeaders(svc, 'made-up-1');
    const stream = await sse(url, ghost);
    assert.equal(stream.status, 404);
    assert.equal(stream.body.error.code, 'not_found');
    const ticket = await client(url).post('/v1/inbox/tickets', undefined, ghost);
    assert.equal(ticket.status, 404);
    assert.equal(ticket.body.error.code, 'not_found');
  });

  it("caps one service's streams, leaving other services theirs, and caps the process", async () => {
    await addRecipients(svc, ['s1', 's2', 's3', 's4']);
    await addRecipients(other, ['o1', 'o2', 'o3']);
    await addRecipients(third, ['t1']);
    for (const r of ['s1', 's2', 's3']) {
      const s = await sse(url, hmacHeaders(svc, r));
      assert.equal(s.status, 200, JSON.stringify(s.body));
      opened.push(s);
    }
    const fourth = await sse(url, hmacHeaders(svc, 's4'));
    assert.equal(fourth.status, 429);
    assert.equal(fourth.body.error.code, 'too_many_streams');
    assert.deepEqual(fourth.body.error.details, { limit: 3, scope: 'service' });

    for (const r of ['o1', 'o2']) {
      const s = await sse(url, hmacHeaders(other, r));
      assert.equal(s.status, 200, 'another service still has slots');
      opened.push(s);
    }
    // Five streams are open on this process: the sixth is refused whoever asks.
    const sixth = await sse(url, hmacHeaders(third, 't1'));
    assert.equal(sixth.status, 429);
    assert.deepEqual(sixth.body.error.details, { limit: 5, scope: 'process' });

    // Closing one of the first service's streams frees a slot for it and for the process.
    opened.shift()?.close();
    const again = await eventually(
      async () => {
        const s = await sse(url, hmacHeaders(svc, 's4'));
        if (s.status === 200) return s;
        s.close();
        return null;
      },
      { what: 'a freed slot' },
    );
    opened.push(again);
  });
});
