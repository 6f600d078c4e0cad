/**
 * The inbox over HTTP on embedded PGlite: in-app deliveries land as items; marks, counts, filters and
 * pages behave; collapse keys replace and TTLs expire; and a recipient reads only its own inbox,
 * whatever credentials it forges.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, eventually, waitForNotification, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import {
  hmacHeaders,
  hmacOf,
  inboxCredentials,
  inboxService,
  openStream,
  recipientClient,
  recipientJwt,
  sendInApp,
  ticketFor,
  type InboxService,
} from '../helpers/inbox.ts';
import type { Herald } from '../../src/main.ts';

describe('inbox REST API', { timeout: 90_000 }, () => {
  let herald: Herald;
  let url: string;
  let svc: InboxService;
  let other: InboxService;

  before(async () => {
    herald = await startInProcess();
    url = herald.url ?? '';
    const admin: Client = client(url, TEST_ADMIN_TOKEN);
    svc = await inboxService(url, admin);
    other = await inboxService(url, admin, 'Other');
  });
  after(async () => herald?.stop());

  const items = async (recipient: string, query = '') => {
    const res = await recipientClient(url, svc, recipient).get(`/v1/inbox/items${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { data: any[]; nextCursor: string | null };
  };
  const counts = async (recipient: string) =>
    (await recipientClient(url, svc, recipient).get('/v1/inbox/counts')).body;

  it('keeps the inbox secret retrievable by the service key', async () => {
    const got = await svc.api.get('/v1/inbox/secret');
    assert.equal(got.status, 200);
    assert.equal(got.body.secret, svc.secret);
    assert.match(svc.secret, /^his_/);
    const anon = await client(url).get('/v1/inbox/secret');
    assert.equal(anon.status, 401);
    assert.equal(anon.body.error.code, 'unauthorized');
  });

  it('delivers an in_app notification into the recipient inbox, rendered, with counts', async () => {
    const id = await sendInApp(
      svc,
      'ann',
      { title: 'Trader {{ trader }} bought', body: 'Buy {{ qty }} INFY', actionUrl: 'https://app.test/t/42' },
      { trader: 'Ravi', qty: 3 },
    );
    const n = await waitForNotification(svc.api, id);
    assert.equal(n.deliveries[0].status, 'sent');
    assert.equal(n.deliveries[0].provider, 'inbox');
    const page = await items('ann');
    assert.equal(page.data.length, 1);
    const item = page.data[0];
    assert.equal(item.title, 'Trader Ravi bought');
    assert.equal(item.body, 'Buy 3 INFY');
    assert.equal(item.actionUrl, 'https://app.test/t/42');
    assert.equal(item.type, 'trade_executed');
    assert.equal(item.readAt, null);
    assert.equal(n.deliveries[0].attempts[0].providerMessageId, item.id);
    assert.deepEqual(await counts('ann'), { unread: 1, unseen: 1, lastEventId: '1' });
  });

  it('marks seen, read, unread, archived, and all read, with the counts following', async () => {
    const ann = recipientClient(url, svc, 'ann');
    const [item] = (await items('ann')).data;
    assert.equal((await ann.post(`/v1/inbox/items/${item.id}/seen`)).status, 200);
    assert.deepEqual(await counts('ann'), { unread: 1, unseen: 0, lastEventId: '2' });
    const read = await ann.post(`/v1/inbox/items/${item.id}/read`);
    assert.equal(read.status, 200);
    assert.ok(read.body.readAt);
    assert.equal((await counts('ann')).unread, 0);
    assert.equal((await ann.post(`/v1/inbox/items/${item.id}/unread`)).body.readAt, null);
    assert.equal((await counts('ann')).unread, 1);
    assert.equal((await items('ann', '?status=unread')).data.length, 1);
    assert.equal((await items('ann', '?status=read')).data.length, 0);

    assert.equal((await ann.post(`/v1/inbox/items/${item.id}/archive`)).status, 200);
    assert.equal((await items('ann')).data.length, 0, 'archived items leave the default list');
    assert.equal((await items('ann', '?archived=only')).data[0].id, item.id);
    assert.equal((await counts('ann')).unread, 0, 'archived items are not counted');
    assert.equal((await ann.post(`/v1/inbox/items/${item.id}/unarchive`)).status, 200);

    await sendInApp(svc, 'ann', { title: 'second', body: 'b' });
    await eventually(async () => (await counts('ann')).unread === 2, { what: 'the second item' });
    const all = await ann.post('/v1/inbox/read-all');
    assert.deepEqual(all.body, { updated: 2 });
    assert.equal((await counts('ann')).unread, 0);
    assert.equal((await ann.post('/v1/inbox/read-all')).body.updated, 0);

    const unknown = await ann.post(`/v1/inbox/items/01900000-0000-7000-8000-000000000000/read`);
    assert.equal(unknown.status, 404);
    const badAction = await ann.post(`/v1/inbox/items/${item.id}/delete`);
    assert.equal(badAction.status, 404);
  });

  it('replaces the older unread item with the same collapse key, and keeps a read one', async () => {
    await sendInApp(svc, 'cy', { title: 'trader 42: buy 10', body: 'x', collapseKey: 'trader:42' });
    await eventually(async () => (await items('cy')).data.length === 1, { what: 'first' });
    await sendInApp(svc, 'cy', { title: 'trader 42: buy 12', body: 'x', collapseKey: 'trader:42' });
    await sendInApp(svc, 'cy', { title: 'trader 7: sell', body: 'x', collapseKey: 'trader:7' });
    await eventually(async () => (await items('cy')).data.length === 2 && (await counts('cy')).unread === 2, {
      what: 'the replacement',
    });
    await eventually(async () => (await items('cy')).data.some((i) => i.title === 'trader 7: sell'), {
      what: 'the trader 7 item',
    });
    const titles = (await items('cy')).data.map((i) => i.title).sort();
    assert.deepEqual(titles, ['trader 42: buy 12', 'trader 7: sell']);

    const newest = (await items('cy')).data.find((i) => i.collapseKey === 'trader:42');
    await recipientClient(url, svc, 'cy').post(`/v1/inbox/items/${newest.id}/read`);
    await sendInApp(svc, 'cy', { title: 'trader 42: buy 15', body: 'x', collapseKey: 'trader:42' });
    await eventually(async () => (await items('cy')).data.length === 3, { what: 'the third item' });
    const with42 = (await items('cy')).data.filter((i) => i.collapseKey === 'trader:42').map((i) => i.title);
    assert.deepEqual(with42.sort(), ['trader 42: buy 12', 'trader 42: buy 15']);
  });

  it('expires items after their ttlSeconds: no longer listed or counted', async () => {
    const intraday = await sendInApp(svc, 'tt', { title: 'intraday', body: 'x', ttlSeconds: 1 });
    await sendInApp(svc, 'tt', { title: 'hourly', body: 'x', ttlSeconds: 3600 });
    await sendInApp(svc, 'tt', { title: 'lasting', body: 'x' });
    assert.equal((await waitForNotification(svc.api, intraday)).deliveries[0].status, 'sent');
    await eventually(async () => (await items('tt')).data.length === 2, { what: 'expiry of one item' });
    const left = (await items('tt')).data;
    assert.deepEqual(left.map((i) => i.title).sort(), ['hourly', 'lasting']);
    const hourly = left.find((i) => i.title === 'hourly');
    const ttl = (Date.parse(hourly.expiresAt) - Date.parse(hourly.createdAt)) / 1000;
    assert.equal(ttl, 3600);
    assert.equal(left.find((i) => i.title === 'lasting').expiresAt, null);
    assert.equal((await counts('tt')).unread, 2);
  });

  it('pages newest first with a cursor, filters by type, and bounds the page size', async () => {
    for (let i = 0; i < 5; i++) await sendInApp(svc, 'pg', { title: `n${i}`, body: 'x' });
    await eventually(async () => (await items('pg')).data.length === 5, { what: 'five items' });
    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const page: { data: any[]; nextCursor: string | null } = await items(
        'pg',
        `?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      sizes.push(page.data.length);
      seen.push(...page.data.map((i) => i.title));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ['n4', 'n3', 'n2', 'n1', 'n0']);
    assert.deepEqual(sizes.slice(0, 2), [2, 2]);
    assert.equal((await items('pg', '?type=digest')).data.length, 0);
    assert.equal((await items('pg', '?type=trade_executed')).data.length, 5);
    const big = await recipientClient(url, svc, 'pg').get('/v1/inbox/items?limit=101');
    assert.equal(big.status, 422);
    assert.equal(big.body.error.code, 'validation_failed');
  });

  describe('recipient authentication', () => {
    let annItem: string;
    before(async () => {
      annItem = (await items('ann')).data[0].id;
    });

    const expectDenied = (res: { status: number; body: any }) => {
      assert.equal(res.status, 401, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'unauthorized');
      assert.equal(res.body.data, undefined);
    };

    it('refuses no credentials, a bad HMAC, and an HMAC made for another recipient', async () => {
      expectDenied(await client(url).get('/v1/inbox/items'));
      expectDenied(await client(url).get('/v1/inbox/items', hmacHeaders(svc, 'ann', 'ab'.repeat(32))));
      expectDenied(
        await client(url).get('/v1/inbox/items', hmacHeaders(svc, 'ann', hmacOf(svc.hmacKey, 'bob'))),
      );
      // Another service's secret signs nothing for this one.
      expectDenied(
        await client(url).get('/v1/inbox/items', hmacHeaders(svc, 'ann', hmacOf(other.hmacKey, 'ann'))),
      );
    });

    it('accepts a valid JWT, and refuses an expired one, a forged one, and one without exp', async () => {
      const good = await recipientJwt(svc, 'ann');
      const ok = await client(url, good).get('/v1/inbox/items');
      assert.equal(ok.status, 200);
      assert.ok(ok.body.data.some((i: any) => i.id === annItem));

      const expired = await recipientJwt(svc, 'ann', { expiresIn: Math.floor(Date.now() / 1000) - 10 });
      expectDenied(await client(url, expired).get('/v1/inbox/items'));
      const forged = await recipientJwt(svc, 'ann', { secret: other.jwtKey });
      expectDenied(await client(url, forged).get('/v1/inbox/items'));
      const { SignJWT } = await import('jose');
      const noExp = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(svc.id)
        .setSubject('ann')
        .sign(new TextEncoder().encode(svc.jwtKey));
      expectDenied(await client(url, noExp).get('/v1/inbox/items'));
      expectDenied(await client(url, 'not.a.jwt').get('/v1/inbox/counts'));
    });

    it("never shows or changes another recipient's items", async () => {
      const bob = client(url, await recipientJwt(svc, 'bob'));
      const list = await bob.get('/v1/inbox/items?archived=include');
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.data, []);
      const before = (await items('ann', '?archived=include')).data.find((i) => i.id === annItem);
      for (const action of ['read', 'unread', 'archive', 'seen']) {
        const res = await bob.post(`/v1/inbox/items/${annItem}/${action}`);
        assert.equal(res.status, 404);
        assert.equal(res.body.error.code, 'not_found');
      }
      const afterward = (await items('ann', '?archived=include')).data.find((i) => i.id === annItem);
      assert.deepEqual(afterward, before);
      // The same recipient id in another service is another inbox.
      const twin = await client(url, await recipientJwt(other, 'ann')).get('/v1/inbox/items');
      assert.deepEqual(twin.body.data, []);
    });

    it('lets a ticket open one stream once, and refuses it after', async () => {
      const ticket = await ticketFor(url, svc, 'ann');
      const stream = await openStream(url, ticket);
      await stream.waitFor((m) => m.some((x) => x.type === 'ready'), 'ready');
      await stream.close();
      await assert.rejects(openStream(url, ticket), /upgrade refused: 401/);
      await assert.rejects(openStream(url, 'hit_' + 'x'.repeat(32)), /upgrade refused: 401/);
      const sse = await fetch(`${url}/v1/inbox/events?ticket=${ticket}`);
      assert.equal(sse.status, 401);
      assert.equal((await sse.json()).error.code, 'unauthorized');
    });
  });

  it('rotating the secret stops what the old one signed, and the new one works at once', async () => {
    const rotating = await inboxService(url, client(url, TEST_ADMIN_TOKEN), 'Rotating');
    const oldJwt = await recipientJwt(rotating, 'ann');
    assert.equal((await recipientClient(url, rotating, 'ann').get('/v1/inbox/counts')).status, 200);
    const rotated = await rotating.api.post('/v1/inbox/secret');
    assert.equal(rotated.status, 201);
    assert.notEqual(rotated.body.secret, rotating.secret);
    assert.equal((await recipientClient(url, rotating, 'ann').get('/v1/inbox/counts')).status, 401);
    assert.equal((await client(url, oldJwt).get('/v1/inbox/counts')).status, 401);
    const fresh = { ...rotating, ...inboxCredentials(rotated.body) };
    assert.equal((await recipientClient(url, fresh, 'ann').get('/v1/inbox/counts')).status, 200);
    assert.equal((await client(url, await recipientJwt(fresh, 'ann')).get('/v1/inbox/counts')).status, 200);
  });

  it('answers CORS preflights for the widget, and serves the widget script', async () => {
    const pre = await fetch(`${url}/v1/inbox/items`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.test',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-herald-recipient-hmac',
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /x-herald-recipient-hmac/);
    const js = await fetch(`${url}/widget.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.match(await js.text(), /customElements\.define\('herald-inbox'/);
  });
});
