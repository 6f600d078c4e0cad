/**
 * Types, templates, preferences, quiet hours, devices, one-click unsubscribe and erasure, end to end:
 * one embedded Herald process (PGlite), a real SMTP server, and the API over HTTP.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, type HeraldProcess } from '../helpers/herald-process.ts';
import { startSmtp, type ParsedMail, type TestSmtp } from '../helpers/smtp.ts';

const header = (mail: ParsedMail, name: string) =>
  mail.headers.find((h) => h.key === name.toLowerCase())?.value;

describe('preferences, templates and unsubscribe (embedded)', () => {
  let smtp: TestSmtp;
  let herald: HeraldProcess;
  let api: Client;
  let other: Client;

  before(async () => {
    smtp = await startSmtp();
    const dataDir = tempDir();
    herald = await startHeraldProcess('start', {
      HERALD_DATA_DIR: dataDir,
      HERALD_SMTP_URL: smtp.url,
      HERALD_SMTP_FROM: 'Acme <noreply@acme.test>',
    });
    const admin = client(herald.url, readFileSync(join(dataDir, 'admin-token'), 'utf8').trim());
    api = client(herald.url, (await registerService(admin, 'Acme', ['receipt', 'promo', 'alert'])).apiKey);
    other = client(herald.url, (await registerService(admin, 'Other', ['promo'])).apiKey);
    const types = {
      receipt: {
        description: 'Order receipts',
        kind: 'transactional',
        category: 'orders',
        defaultChannels: ['email'],
      },
      promo: { description: 'Offers', kind: 'commercial', category: 'marketing', defaultChannels: ['email'] },
      alert: {
        description: 'Security alerts',
        kind: 'transactional',
        category: 'security',
        defaultChannels: ['email'],
      },
    };
    for (const [key, body] of Object.entries(types)) {
      const res = await api.put(`/v1/notification-types/${key}`, body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    for (const key of Object.keys(types)) {
      const res = await api.put(`/v1/notification-types/${key}/templates/email/default`, {
        subject: `${key}: {{ title }}`,
        text: 'Hello {{ recipient.name }}, {{ title }}.',
        html: '<p>Hello {{ recipient.name }}, {{ title }}.</p>',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
  });

  after(async () => {
    await herald?.stop();
    await smtp?.close();
  });

  async function send(body: Record<string, unknown>) {
    const res = await api.post('/v1/notifications', body);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.id as string;
  }

  it('manages notification types, and other services cannot see them', async () => {
    const list = await api.get('/v1/notification-types');
    assert.deepEqual(
      list.body.data.map((t: any) => [t.key, t.kind, t.category, t.defaultChannels]),
      [
        ['alert', 'transactional', 'security', ['email']],
        ['promo', 'commercial', 'marketing', ['email']],
        ['receipt', 'transactional', 'orders', ['email']],
      ],
    );
    const created = await api.put('/v1/notification-types/digest', {
      kind: 'commercial',
      ttlSeconds: 3600,
      collapseKey: '{{ day }}',
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.ttlSeconds, 3600);
    const badKey = await api.put('/v1/notification-types/digest', { collapseKey: '{{ day' });
    assert.equal(badKey.status, 422);
    assert.equal(badKey.body.error.code, 'template_syntax_error');
    const bad = await api.put('/v1/notification-types/digest', { kind: 'spam' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.code, 'validation_failed');
    assert.equal((await other.get('/v1/notification-types/receipt')).status, 404);
    assert.equal((await other.get('/v1/notification-types/receipt/templates')).status, 404);
  });

  it('rejects a template with a syntax error, naming line and column, and keeps versions', async () => {
    const bad = await api.put('/v1/notification-types/receipt/templates/email/fr', {
      subject: 'Reçu',
      text: 'Bonjour,\n  {% if x %}jamais fermé',
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.code, 'template_syntax_error');
    assert.equal(bad.body.error.details.field, 'text');
    assert.equal(bad.body.error.details.line, 2);
    assert.equal(bad.body.error.details.column, 3);

    const v1 = await api.put('/v1/notification-types/receipt/templates/email/fr', {
      subject: 'Reçu v1',
      text: 'Merci {{ recipient.name }}',
    });
    const v2 = await api.put('/v1/notification-types/receipt/templates/email/fr', {
      subject: 'Reçu {{ title }}',
      text: 'Merci {{ recipient.name }}',
    });
    assert.equal(v1.body.version, 1);
    assert.equal(v2.body.version, 2);
    const versions = await api.get('/v1/notification-types/receipt/templates/email/fr/versions');
    assert.deepEqual(
      versions.body.data.map((t: any) => t.version),
      [2, 1],
    );
  });

  it('previews with sample data and falls back fr-CA → fr → default', async () => {
    const fr = await api.post('/v1/notification-types/receipt/templates/email/preview', {
      locale: 'fr-CA',
      data: { title: 'commande 42' },
      recipient: { attributes: { name: 'Zoé' } },
    });
    assert.equal(fr.status, 200, JSON.stringify(fr.body));
    assert.deepEqual(fr.body, {
      locale: 'fr',
      version: 2,
      rendered: { subject: 'Reçu commande 42', text: 'Merci Zoé' },
    });
    const de = await api.post('/v1/notification-types/receipt/templates/email/preview', {
      locale: 'de-AT',
      data: { title: 'x' },
    });
    assert.equal(de.body.locale, 'default');
    const unsaved = await api.post('/v1/notification-types/receipt/templates/email/preview', {
      content: { subject: 'Try {{ a | upcase }}', text: '.' },
      data: { a: 'it' },
    });
    assert.deepEqual(unsaved.body.rendered, { subject: 'Try IT', text: '.' });
  });

  it('renders nothing dangerous from templates that reach for prototypes or files', async () => {
    const preview = (text: string) =>
      api.post('/v1/notification-types/receipt/templates/email/preview', {
        content: { subject: 's', text },
        data: { x: {}, title: 't' },
      });
    const proto = await preview(
      '{{ x.constructor }}|{{ recipient.__proto__ }}|{{ recipient.constructor.name }}|{{ title.constructor }}',
    );
    assert.equal(proto.status, 200);
    assert.equal(proto.body.rendered.text, '|||');
    for (const text of [
      "{% include '/etc/passwd' %}",
      "{% render '/etc/passwd' %}",
      '{% render %}',
      '{% layout "/etc/passwd" %}',
    ]) {
      const res = await preview(text);
      assert.equal(res.status, 422, text);
      assert.equal(res.body.error.code, 'template_syntax_error', text);
      assert.equal(res.body.error.details.line, 1);
      assert.doesNotMatch(JSON.stringify(res.body), /root:/);
      // Saving is refused the same way.
      const saved = await api.put('/v1/notification-types/receipt/templates/email/de', {
        subject: 's',
        text,
      });
      assert.equal(saved.status, 422, text);
    }
  });

  it('uses the type default channels and the stored template in the recipient locale, and records its version', async () => {
    await api.put('/v1/recipients/zoe', {
      email: 'zoe@example.com',
      locale: 'fr-CA',
      attributes: { name: 'Zoé' },
    });
    const before = smtp.messages.length;
    const id = await send({ type: 'receipt', recipient: 'zoe', data: { title: 'commande 7' } });
    const mail = (await smtp.waitFor(before + 1)).at(-1)!;
    assert.equal(mail.subject, 'Reçu commande 7');
    // Transactional mail has no unsubscribe header.
    assert.equal(header(mail, 'List-Unsubscribe'), undefined);
    const n = await waitForNotification(api, id);
    assert.deepEqual(n.channels, ['email']);
    assert.deepEqual(n.deliveries[0].template, { locale: 'fr', version: 2 });
  });

  it('one-click unsubscribe (RFC 8058): exact headers, exact POST body, commercial stops, transactional goes on', async () => {
    await api.put('/v1/recipients/uma', { email: 'uma@example.com', attributes: { name: 'Uma' } });
    const before = smtp.messages.length;
    await send({ type: 'promo', recipient: 'uma', data: { title: 'spring sale' } });
    const mail = (await smtp.waitFor(before + 1)).at(-1)!;
    const listUnsubscribe = header(mail, 'List-Unsubscribe');
    assert.equal(header(mail, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
    const m = /^<(http:\/\/127\.0\.0\.1:\d+\/u\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+))>$/.exec(
      listUnsubscribe ?? '',
    );
    assert.ok(m, `List-Unsubscribe: ${listUnsubscribe}`);
    const [, url, token] = m;
    // The visible link to the preference page, in both bodies.
    assert.ok(mail.text?.includes(`/p/${token}`), mail.text);
    assert.match(
      mail.html ?? '',
      new RegExp(
        `<a href="http://127\\.0\\.0\\.1:\\d+/p/${token!.replace('.', '\\.')}">Manage preferences</a>`,
      ),
    );

    // A tampered token is refused; so is a body other than the one RFC 8058 prescribes.
    const tampered = url!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const forged = await fetch(tampered, {
      method: 'POST',
      headers: form,
      body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(forged.status, 403);
    assert.equal((await forged.json()).error.code, 'forbidden');
    const wrongBody = await fetch(url!, { method: 'POST', headers: form, body: 'List-Unsubscribe=Yes' });
    assert.equal(wrongBody.status, 400);
    // A GET (a mail scanner following the link) changes nothing.
    assert.equal((await fetch(url!)).status, 200);
    assert.equal((await api.get('/v1/recipients/uma/preferences')).body.unsubscribed, undefined);

    // Another service can neither read nor change this recipient's preferences.
    assert.equal((await other.get('/v1/recipients/uma/preferences')).status, 404);
    assert.equal((await other.patch('/v1/recipients/uma/preferences', { unsubscribed: true })).status, 404);
    const badWindow = await api.patch('/v1/recipients/uma/preferences', {
      quietHours: { start: '25:00', end: '07:00' },
    });
    assert.equal(badWindow.status, 422);
    assert.equal(badWindow.body.error.code, 'validation_failed');

    const res = await fetch(url!, { method: 'POST', headers: form, body: 'List-Unsubscribe=One-Click' });
    assert.equal(res.status, 200);
    assert.equal((await api.get('/v1/recipients/uma/preferences')).body.unsubscribed, true);
    // The same request again, and the multipart/form-data spelling RFC 8058 also allows, both succeed.
    const data = new FormData();
    data.set('List-Unsubscribe', 'One-Click');
    assert.equal((await fetch(url!, { method: 'POST', body: data })).status, 200);

    const promo = await waitForNotification(
      api,
      await send({ type: 'promo', recipient: 'uma', data: { title: 'again' } }),
    );
    assert.equal(promo.deliveries[0].status, 'suppressed');
    assert.equal(promo.deliveries[0].reason, 'unsubscribed');
    const receipt = await waitForNotification(
      api,
      await send({ type: 'receipt', recipient: 'uma', data: { title: 'r' } }),
    );
    assert.equal(receipt.deliveries[0].status, 'sent');
  });

  it('Asia/Tokyo quiet hours: a normal notification waits for the end of the window, a critical one goes at once', async () => {
    // A window from an hour ago to two hours from now, in Tokyo's wall-clock time (Tokyo has no DST).
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const tokyo = (t: number) => new Date(t + 9 * 3600_000).toISOString().slice(11, 16);
    const windowEnd = minute + 120 * 60_000;
    await api.put('/v1/recipients/kenji', {
      email: 'kenji@example.jp',
      timezone: 'Asia/Tokyo',
      attributes: { name: 'Kenji' },
    });
    const set = await api.patch('/v1/recipients/kenji/preferences', {
      quietHours: { start: tokyo(minute - 60 * 60_000), end: tokyo(windowEnd) },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));

    const before = smtp.messages.length;
    const normal = await send({ type: 'alert', recipient: 'kenji', data: { title: 'weekly summary' } });
    const critical = await send({
      type: 'alert',
      recipient: 'kenji',
      priority: 'critical',
      data: { title: 'new sign-in' },
    });

    const sent = await waitForNotification(api, critical);
    assert.equal(sent.deliveries[0].status, 'sent');
    const mails = await smtp.waitFor(before + 1);
    assert.equal(mails.at(-1)!.subject, 'alert: new sign-in');

    const held = await eventually(
      async () => {
        const n = (await api.get(`/v1/notifications/${normal}`)).body;
        return n.deliveries?.length ? n : undefined;
      },
      { what: 'the normal notification to be planned' },
    );
    assert.equal(held.status, 'processing');
    assert.equal(held.deliveries[0].status, 'deferred');
    assert.equal(held.deliveries[0].reason, 'quiet_hours');
    assert.equal(held.deliveries[0].nextAttemptAt, new Date(windowEnd).toISOString());
    assert.equal(smtp.messages.filter((m) => m.subject === 'alert: weekly summary').length, 0);
  });

  it('suppresses with the reason: channel opt-out beats critical; type and category opt-outs; frequency cap', async () => {
    await api.put('/v1/recipients/ola', { email: 'ola@example.com', attributes: { name: 'Ola' } });
    const reasonFor = async (body: Record<string, unknown>) =>
      (await waitForNotification(api, await send({ recipient: 'ola', data: { title: 't' }, ...body })))
        .deliveries[0];

    await api.patch('/v1/recipients/ola/preferences', { types: { receipt: { email: false } } });
    assert.equal((await reasonFor({ type: 'receipt' })).reason, 'preference_opt_out');
    await api.patch('/v1/recipients/ola/preferences', {
      types: { receipt: null },
      categories: { security: { email: false } },
    });
    assert.equal((await reasonFor({ type: 'alert' })).reason, 'category_opt_out');
    assert.equal((await reasonFor({ type: 'receipt' })).status, 'sent');
    await api.patch('/v1/recipients/ola/preferences', {
      categories: { security: null },
      channels: { email: false },
    });
    const critical = await reasonFor({ type: 'alert', priority: 'critical' });
    assert.deepEqual([critical.status, critical.reason], ['suppressed', 'channel_opt_out']);

    await api.put('/v1/recipients/cap', { email: 'cap@example.com' });
    await api.patch('/v1/recipients/cap/preferences', { frequencyLimit: 1 });
    const first = await waitForNotification(
      api,
      await send({ type: 'receipt', recipient: 'cap', data: { title: '1' } }),
    );
    assert.equal(first.deliveries[0].status, 'sent');
    // Transactional messages count towards the cap but are never held back by it.
    const receipt = await waitForNotification(
      api,
      await send({ type: 'receipt', recipient: 'cap', data: { title: 'r' } }),
    );
    assert.equal(receipt.deliveries[0].status, 'sent');
    const second = await waitForNotification(
      api,
      await send({ type: 'promo', recipient: 'cap', data: { title: '2' } }),
    );
    assert.deepEqual(
      [second.deliveries[0].status, second.deliveries[0].reason],
      ['suppressed', 'frequency_cap'],
    );
  });

  it('fans push out to each active device and web push to each subscription', async () => {
    await api.put('/v1/recipients/dev', { email: 'dev@example.com' });
    const ios = await api.post('/v1/recipients/dev/devices', { platform: 'ios', token: 'apns-token-0001' });
    const android = await api.post('/v1/recipients/dev/devices', {
      platform: 'android',
      token: 'fcm-token-0002',
    });
    const webKeys = {
      p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
      auth: 'tBHItJI5svbpez7KI4CCXg',
    };
    const web = await api.post('/v1/recipients/dev/devices', {
      platform: 'web',
      endpoint: 'https://push.example.net/send/abc',
      keys: webKeys,
    });
    assert.deepEqual([ios.status, android.status, web.status], [201, 201, 201]);
    assert.equal(
      (await other.post('/v1/recipients/dev/devices', { platform: 'ios', token: 'apns-token-0003' })).status,
      404,
    );
    const removed = await api.post('/v1/recipients/dev/devices', {
      platform: 'android',
      token: 'fcm-token-0004',
    });
    assert.equal((await api.delete(`/v1/recipients/dev/devices/${removed.body.id}`)).status, 204);

    const n = await waitForNotification(
      api,
      await send({
        type: 'alert',
        recipient: 'dev',
        channels: ['push', 'web_push'],
        content: { push: { title: 'Hi', body: 'push' }, web_push: { title: 'Hi', body: 'web' } },
      }),
    );
    const targets = n.deliveries.map((d: any) => `${d.channel}:${d.address}:${d.status}`).sort();
    assert.deepEqual(targets, [
      'push:apns-token-0001:sent',
      'push:fcm-token-0002:sent',
      `web_push:${JSON.stringify({ endpoint: 'https://push.example.net/send/abc', keys: webKeys })}:sent`,
    ]);
    const noDevice = await api.post('/v1/notifications', {
      type: 'alert',
      recipient: 'ola',
      channels: ['push'],
      content: { push: { title: 'a', body: 'b' } },
    });
    assert.equal(noDevice.status, 422);
    assert.equal(noDevice.body.error.code, 'recipient_missing_address');
  });

  it('erases a recipient and keeps only anonymous delivery counts', async () => {
    await api.put('/v1/recipients/eve', {
      email: 'eve@example.com',
      phone: '+33612345678',
      attributes: { name: 'Eve' },
    });
    const id = await send({ type: 'receipt', recipient: 'eve', data: { title: 'private order' } });
    await waitForNotification(api, id);
    assert.equal((await other.delete('/v1/recipients/eve')).status, 404);
    const erased = await api.delete('/v1/recipients/eve');
    assert.equal(erased.status, 200);
    assert.equal(erased.body.deliveriesAnonymised, 1);
    assert.equal((await api.get('/v1/recipients/eve')).status, 404);
    const n = (await api.get(`/v1/notifications/${id}`)).body;
    assert.equal(n.recipient, null);
    assert.equal(n.deliveries.length, 1);
    assert.equal(n.deliveries[0].status, 'sent');
    assert.equal(n.deliveries[0].address, null);
    assert.match(n.deliveries[0].recipient, /^erased:/);
    const outbox = JSON.stringify((await api.get('/v1/outbox?limit=500')).body);
    assert.doesNotMatch(outbox, /eve@example\.com/);
    assert.equal((await api.delete('/v1/recipients/eve')).status, 404);
  });

  it("plans with the service's defaults as set through the API, and with their change at once", async () => {
    // The planner keeps a service's defaults in the metadata cache: a change through the API must
    // apply to the very next notification, not after the cache's bound.
    await api.put('/v1/recipients/dee', { email: 'dee@example.com', attributes: { name: 'Dee' } });
    const deliveryOf = async (title: string) =>
      (await waitForNotification(api, await send({ type: 'receipt', recipient: 'dee', data: { title } })))
        .deliveries[0];
    assert.equal((await deliveryOf('before')).status, 'sent');
    const off = await api.put('/v1/preference-defaults', { types: { receipt: { email: false } } });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    const refused = await deliveryOf('while off');
    assert.equal(refused.status, 'suppressed');
    assert.match(String(refused.reason), /opt_out/);
    assert.equal((await api.put('/v1/preference-defaults', {})).status, 200);
    assert.equal((await deliveryOf('after')).status, 'sent');
  });
});
