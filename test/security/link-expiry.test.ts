/**
 * Links in messages end. A Herald with a known HERALD_SECRET_KEY is handed tokens made with that key
 * whose lifetime has passed (minted as if a message had been planned long ago): the preference page
 * and the unsubscribe page answer 410 and change nothing, a click redirects nowhere and is not
 * recorded, a pixel is not counted. The same links minted now work, and the links in a real message
 * carry the configured lifetime.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLinks } from '../../src/app/links.ts';
import { createTrackingLinks } from '../../src/app/tracking-links.ts';
import type { Herald } from '../../src/main.ts';
import { client, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';

const DAY = 86_400_000;
const secretKey = randomBytes(32).toString('base64');

describe('signed links expire', () => {
  let herald: Herald;
  let api: Client;
  let serviceId: string;
  const base = () => herald.url ?? '';
  /** Links as a Herald with the same key would have made them `ageDays` ago, living `ttlDays`. */
  const minted = (ageDays: number, ttlDays = 30) => {
    const lifetime = { ttlSeconds: ttlDays * 86_400, now: () => Date.now() - ageDays * DAY };
    return {
      links: createLinks(secretKey, base, lifetime),
      tracking: createTrackingLinks(secretKey, base, lifetime),
    };
  };
  const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

  before(async () => {
    herald = await startInProcess({ env: { HERALD_SECRET_KEY: secretKey, HERALD_LINK_TTL_DAYS: '45' } });
    const s = await registerService(client(base(), TEST_ADMIN_TOKEN), 'Shop', ['promo']);
    api = client(base(), s.apiKey);
    serviceId = s.id;
    assert.equal((await api.put('/v1/notification-types/promo', { kind: 'commercial' })).status, 200);
    assert.equal((await api.put('/v1/recipients/ann', { email: 'ann@example.com' })).status, 201);
  });

  after(async () => herald?.stop());

  it('an expired preference link shows "expired" (410); the same link minted now shows the page', async () => {
    const old = await minted(31).links.forRecipient(serviceId, 'ann');
    const page = await fetch(old.preferencesUrl);
    assert.equal(page.status, 410);
    assert.match(await page.text(), /has expired/);
    const saved = await fetch(old.preferencesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'unsubscribed=on',
    });
    assert.equal(saved.status, 410);

    const fresh = await minted(29).links.forRecipient(serviceId, 'ann');
    const ok = await fetch(fresh.preferencesUrl);
    assert.equal(ok.status, 200);
    assert.doesNotMatch(await ok.text(), /has expired/);
    assert.equal((await api.get('/v1/recipients/ann/preferences')).body.unsubscribed, undefined);
  });

  it('an expired one-click unsubscribe answers link_expired and leaves the recipient subscribed', async () => {
    const old = await minted(400, 365).links.forRecipient(serviceId, 'ann');
    const post = (url: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
    const res = await post(old.unsubscribeUrl);
    assert.equal(res.status, 410);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'link_expired');
    assert.match(body.error.message, /expired/);
    assert.equal((await fetch(old.unsubscribeUrl)).status, 410);
    assert.equal((await api.get('/v1/recipients/ann/preferences')).body.unsubscribed, undefined);

    // An expired token with one byte changed is not "expired" but not valid: tampering is never told apart.
    const token = tokenOf(old.unsubscribeUrl);
    const tampered = `${token.slice(0, 3)}${token[3] === 'A' ? 'B' : 'A'}${token.slice(4)}`;
    assert.equal((await post(`${base()}/u/${tampered}`)).status, 403);

    const fresh = await minted(1, 365).links.forRecipient(serviceId, 'ann');
    assert.equal((await post(fresh.unsubscribeUrl)).status, 200);
    assert.equal((await api.get('/v1/recipients/ann/preferences')).body.unsubscribed, true);
  });

  it('an expired click redirects nowhere and is not recorded; an expired pixel is not counted', async () => {
    const res = await api.post('/v1/notifications', {
      type: 'promo',
      recipient: { id: 'bo', email: 'bo@example.com' },
      channels: ['email'],
      content: { email: { subject: 'Sale', text: 'Sale', html: '<a href="https://shop.example/">Shop</a>' } },
    });
    assert.equal(res.status, 202);
    const delivery = (await waitForNotification(api, res.body.id)).deliveries[0];
    const old = minted(31).tracking;

    const click = await fetch(old.click(delivery.id, 'https://shop.example/'), { redirect: 'manual' });
    assert.equal(click.status, 410);
    assert.equal(click.headers.get('location'), null);
    assert.equal(((await click.json()) as { error: { code: string } }).error.code, 'link_expired');
    assert.equal((await fetch(old.open(delivery.id))).status, 404);
    const history = await api.get(`/v1/deliveries/${delivery.id}/history`);
    assert.deepEqual(
      history.body.data.map((e: { status: string }) => e.status),
      ['sent'],
    );

    const fresh = minted(29).tracking;
    assert.equal((await api.put('/v1/service/link-hosts', { hosts: ['shop.example'] })).status, 200);
    const ok = await fetch(fresh.click(delivery.id, 'https://shop.example/'), { redirect: 'manual' });
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.get('location'), 'https://shop.example/');
  });

  it('links in a real message carry the configured lifetime (HERALD_LINK_TTL_DAYS=45)', async () => {
    const res = await api.post('/v1/notifications', {
      type: 'promo',
      recipient: { id: 'cy', email: 'cy@example.com' },
      channels: ['email'],
      content: { email: { subject: 'Hi', text: 'Hi', html: '<a href="https://shop.example/">Shop</a>' } },
    });
    const delivery = (await waitForNotification(api, res.body.id)).deliveries[0];
    const mail = (await api.get('/v1/outbox')).body.data.find(
      (m: { deliveryId: string }) => m.deliveryId === delivery.id,
    );
    const tokens = [
      ...(mail.content.text as string).matchAll(/\/p\/([A-Za-z0-9_.-]+)/g),
      ...(mail.content.html as string).matchAll(/\/t\/c\/([A-Za-z0-9_.-]+)/g),
    ].map((m) => m[1] as string);
    assert.ok(tokens.length >= 2, mail.content.text);
    const nowSeconds = Date.now() / 1000;
    for (const token of tokens) {
      const fields = JSON.parse(
        Buffer.from(token.split('.')[0] as string, 'base64url').toString(),
      ) as unknown[];
      const expiresAt = fields[fields.length - 1] as number;
      const days = (expiresAt - nowSeconds) / 86_400;
      assert.ok(days > 44.9 && days <= 45, `${token} lives ${days} days`);
    }
    assert.equal((await fetch(`${base()}/p/${tokens[0]}`)).status, 200);
  });
});
