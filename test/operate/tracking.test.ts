/**
 * Open and click tracking on an embedded Herald: a commercial type's HTML email gets its links
 * rewritten and an open pixel, a transactional one is left alone unless its type asks; opening and
 * clicking move the delivery to `opened` and `clicked` and are recorded; a redirect goes only to a
 * URL that was in the message and whose host the service registered (any other gets a page that
 * names it, so Herald is no open redirect), and a tampered token gets an error and no redirect.
 * Broadcasts are tracked the same way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Herald } from '../../src/main.ts';
import { client, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';

const HTML =
  '<html><body><p>Hello</p><a href="https://shop.example/sale?x=1&amp;y=2">Sale</a> ' +
  '<a href=\'https://shop.example/help\'>Help</a> <a href="mailto:hi@shop.example">Mail</a></body></html>';

describe('open and click tracking', () => {
  let herald: Herald;
  let api: Client;

  before(async () => {
    herald = await startInProcess();
    const s = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Shop', [
      'newsletter',
      'receipt',
      'tracked_receipt',
    ]);
    api = client(herald.url ?? '', s.apiKey);
    assert.equal((await api.put('/v1/notification-types/newsletter', { kind: 'commercial' })).status, 200);
    assert.equal((await api.put('/v1/notification-types/receipt', { kind: 'transactional' })).status, 200);
    const typed = await api.put('/v1/notification-types/tracked_receipt', {
      kind: 'transactional',
      tracking: { opens: false, clicks: true },
    });
    assert.deepEqual(typed.body.tracking, { opens: false, clicks: true });
    const hosts = await api.put('/v1/service/link-hosts', { hosts: ['shop.example', '*.cdn.example'] });
    assert.equal(hosts.status, 200, JSON.stringify(hosts.body));
  });

  after(async () => herald?.stop());

  async function send(type: string) {
    const res = await api.post('/v1/notifications', {
      type,
      recipient: { id: `r-${type}`, email: 'reader@example.com' },
      channels: ['email'],
      content: { email: { subject: 'Hi', text: 'Hi', html: HTML } },
    });
    assert.equal(res.status, 202);
    const n = await waitForNotification(api, res.body.id);
    const delivery = n.deliveries[0];
    const mail = (await api.get('/v1/outbox')).body.data.find((m: any) => m.deliveryId === delivery.id);
    return { delivery, html: mail.content.html as string };
  }

  const links = (html: string, kind: 'o' | 'c') =>
    [...html.matchAll(new RegExp(`${herald.url}/t/${kind}/([A-Za-z0-9_.-]+)`, 'g'))].map(
      (m) => m[1] as string,
    );

  it('tracks a commercial email: open, then click, each recorded', async () => {
    const { delivery, html } = await send('newsletter');
    const clicks = links(html, 'c');
    assert.equal(clicks.length, 2, html);
    assert.equal(links(html, 'o').length, 1);
    assert.match(html, /mailto:hi@shop.example/);
    assert.doesNotMatch(html, /shop\.example\/sale/);

    const pixel = await fetch(`${herald.url}/t/o/${links(html, 'o')[0]}`);
    assert.equal(pixel.status, 200);
    assert.equal(pixel.headers.get('content-type'), 'image/gif');

    const click = await fetch(`${herald.url}/t/c/${clicks[0]}`, { redirect: 'manual' });
    assert.equal(click.status, 302);
    assert.equal(click.headers.get('location'), 'https://shop.example/sale?x=1&y=2');
    const history = await api.get(`/v1/deliveries/${delivery.id}/history`);
    assert.deepEqual(
      history.body.data.map((e: any) => e.status),
      ['sent', 'opened', 'clicked'],
    );
    // A second open changes nothing: clicked is as far as it goes.
    await fetch(`${herald.url}/t/o/${links(html, 'o')[0]}`);
    assert.equal((await api.get(`/v1/deliveries/${delivery.id}/history`)).body.data.length, 3);
  });

  it('refuses tampered tokens and URLs that were not in the message, without redirecting', async () => {
    const { html } = await send('tracked_receipt');
    assert.equal(links(html, 'o').length, 0, 'opens are off for this type');
    const token = links(html, 'c')[0] as string;
    const [payload, mac] = token.split('.') as [string, string];
    const flipped = `${payload}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    const elsewhere = Buffer.from(
      JSON.stringify([
        'c',
        JSON.parse(Buffer.from(payload, 'base64url').toString())[1],
        'https://evil.example/',
      ]),
    ).toString('base64url');
    for (const bad of [flipped, `${elsewhere}.${mac}`, 'garbage']) {
      const res = await fetch(`${herald.url}/t/c/${bad}`, { redirect: 'manual' });
      assert.equal(res.status, 403, bad);
      assert.equal(res.headers.get('location'), null);
    }
    assert.equal((await fetch(`${herald.url}/t/o/${flipped}`)).status, 404);
    assert.equal(
      (await fetch(`${herald.url}/t/o/${token}`)).status,
      404,
      'a click token is not an open token',
    );
  });

  it('tracks a commercial broadcast like a single notification', async () => {
    for (const id of ['b1', 'b2'])
      assert.equal((await api.put(`/v1/recipients/${id}`, { email: `${id}@example.com` })).status, 201);
    const res = await api.post('/v1/notifications', {
      type: 'newsletter',
      recipients: ['b1', 'b2'],
      channels: ['email'],
      content: { email: { subject: 'Hi', text: 'Hi', html: HTML } },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await waitForNotification(api, res.body.id);
    const to = new Set(['b1@example.com', 'b2@example.com']);
    const mails = (await api.get('/v1/outbox')).body.data.filter((m: any) => to.has(m.to));
    assert.equal(mails.length, 2);
    for (const mail of mails) {
      assert.equal(links(mail.content.html, 'c').length, 2, mail.content.html);
      assert.equal(links(mail.content.html, 'o').length, 1);
    }
  });

  it('leaves transactional email alone by default', async () => {
    const { html } = await send('receipt');
    assert.equal(html, HTML);
  });

  it('redirects only to hosts the service registered; any other link gets a page naming it', async () => {
    const html =
      '<a href="https://phish.example/login">A</a> <a href="https://img.cdn.example/x">B</a> ' +
      '<a href="https://cdn.example/">C</a> <a href="https://shop.example.phish.example/">D</a>' +
      '<a href="https://x.example/?q=%3Cscript%3E&amp;a=&quot;b">E</a>';
    const res = await api.post('/v1/notifications', {
      type: 'newsletter',
      recipient: { id: 'r-hosts', email: 'reader@example.com' },
      channels: ['email'],
      content: { email: { subject: 'Hi', text: 'Hi', html } },
    });
    const n = await waitForNotification(api, res.body.id);
    const mail = (await api.get('/v1/outbox')).body.data.find(
      (m: any) => m.deliveryId === n.deliveries[0].id,
    );
    const clicks = links(mail.content.html as string, 'c');
    assert.equal(clicks.length, 5);
    const follow = (token: string) => fetch(`${herald.url}/t/c/${token}`, { redirect: 'manual' });

    const wildcard = await follow(clicks[1] as string);
    assert.equal(wildcard.status, 302);
    assert.equal(wildcard.headers.get('location'), 'https://img.cdn.example/x');
    for (const [i, url] of [
      [0, 'https://phish.example/login'],
      [2, 'https://cdn.example/'],
      [3, 'https://shop.example.phish.example/'],
    ] as const) {
      const page = await follow(clicks[i] as string);
      assert.equal(page.status, 200, url);
      assert.equal(page.headers.get('location'), null, url);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      const body = await page.text();
      assert.ok(body.includes(`href="${url}"`), body);
      assert.match(body, /not registered/);
    }
    // The destination is shown escaped, never as markup.
    const escaped = await (await follow(clicks[4] as string)).text();
    assert.doesNotMatch(escaped, /<script/i);
    assert.ok(escaped.includes('href="https://x.example/?q=%3Cscript%3E&amp;a=&quot;b"'), escaped);
    // The click still counts.
    const history = await api.get(`/v1/deliveries/${n.deliveries[0].id}/history`);
    assert.ok(history.body.data.some((e: any) => e.status === 'clicked'));

    // Registering the host later lets the same link through; the list is replaced whole.
    assert.deepEqual((await api.put('/v1/service/link-hosts', { hosts: ['phish.example'] })).body, {
      hosts: ['phish.example'],
    });
    assert.equal((await follow(clicks[0] as string)).status, 302);
    assert.equal((await follow(clicks[1] as string)).status, 200, 'no longer registered');
    await api.put('/v1/service/link-hosts', { hosts: ['shop.example', '*.cdn.example'] });
  });

  it('checks the hosts a service registers, and keeps each service to its own list', async () => {
    for (const bad of [
      'https://shop.example',
      'shop.example/path',
      'shop.example:8443',
      '127.0.0.1',
      '*',
      '*.com',
      '-bad.example',
      'a b.example',
      'x'.repeat(254),
      'shop.example\u0000',
    ]) {
      const res = await api.put('/v1/service/link-hosts', { hosts: ['ok.example', bad] });
      assert.equal(res.status, 422, bad);
      assert.equal(res.body.error.code, 'validation_failed');
      assert.equal(res.body.error.details[0].path, '/hosts/1', bad);
    }
    const many = Array.from({ length: 101 }, (_, i) => `h${i}.example`);
    assert.equal((await api.put('/v1/service/link-hosts', { hosts: many })).status, 422);
    assert.deepEqual((await api.get('/v1/service/link-hosts')).body.hosts, ['*.cdn.example', 'shop.example']);
    // Names are kept as URLs carry them: lower case, punycode, no trailing dot, no duplicates.
    const idn = await api.put('/v1/service/link-hosts', {
      hosts: ['Shop.Example', 'shop.example.', 'bücher.example', '*.cdn.example'],
    });
    assert.deepEqual(idn.body.hosts, ['*.cdn.example', 'shop.example', 'xn--bcher-kva.example']);
    const other = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Other');
    assert.deepEqual((await client(herald.url ?? '', other.apiKey).get('/v1/service/link-hosts')).body, {
      hosts: [],
    });
    await api.put('/v1/service/link-hosts', { hosts: ['shop.example', '*.cdn.example'] });
  });
});
