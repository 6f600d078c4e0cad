/**
 * Embedded mode end to end, as `npm start` runs it: one process on PGlite, a real SMTP server on a
 * local port, and the API used over HTTP.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { client, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, type HeraldProcess } from '../helpers/herald-process.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';

describe('embedded mode with SMTP', () => {
  let smtp: TestSmtp;
  let herald: HeraldProcess;
  let dataDir: string;
  let api: Client;

  before(async () => {
    smtp = await startSmtp();
    dataDir = tempDir();
    herald = await startHeraldProcess('start', {
      HERALD_DATA_DIR: dataDir,
      HERALD_SMTP_URL: smtp.url,
      HERALD_SMTP_FROM: 'Acme <noreply@acme.test>',
    });
    const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const service = await registerService(client(herald.url, adminToken));
    api = client(herald.url, service.apiKey);
  });

  after(async () => {
    await herald?.stop();
    await smtp?.close();
  });

  it('prints the generated admin token at start and keeps it in the data folder', () => {
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    assert.match(token, /^hadm_/);
    assert.ok(herald.output().includes(`Admin token: ${token}`));
  });

  it('delivers a notification to a real SMTP server with the rendered subject and body', async () => {
    const put = await api.put('/v1/recipients/ann', {
      email: 'ann@example.com',
      timezone: 'Europe/Paris',
      locale: 'fr',
    });
    assert.equal(put.status, 201);
    const res = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: 'ann',
      channels: ['email'],
      data: { order_id: 'A-1001', items: 3 },
      content: {
        email: {
          subject: 'Order {{ order_id }} shipped',
          text: 'Hello {{ recipient.email }}, {{ items }} items are on their way.',
          html: '<p>Order <b>{{ order_id }}</b></p>',
        },
      },
    });
    assert.equal(res.status, 202);
    assert.equal(res.body.status, 'accepted');

    const [mail] = await smtp.waitFor(1);
    assert.ok(mail);
    assert.equal(mail.subject, 'Order A-1001 shipped');
    assert.equal(mail.text?.trim(), 'Hello ann@example.com, 3 items are on their way.');
    assert.equal(mail.html?.trim(), '<p>Order <b>A-1001</b></p>');
    assert.equal(mail.to?.[0]?.address, 'ann@example.com');
    assert.equal(mail.from?.address, 'noreply@acme.test');

    const n = await waitForNotification(api, res.body.id);
    assert.equal(n.deliveries.length, 1);
    const [d] = n.deliveries;
    assert.equal(d.status, 'sent');
    assert.equal(d.channel, 'email');
    assert.equal(d.recipient, 'ann');
    assert.equal(d.provider, 'smtp');
    assert.equal(d.attempts.length, 1);
    assert.equal(d.attempts[0].outcome, 'sent');
    assert.equal(d.attempts[0].attempt, 1);
    assert.ok(d.sentAt);
    // The message carries the delivery id, so a receiver can count duplicates.
    assert.equal(mail.messageId, `<${d.id}@herald>`);
  });

  it('escapes data in HTML bodies but not in text bodies', async () => {
    await api.put('/v1/recipients/bob', { email: 'bob@example.com' });
    const before = smtp.messages.length;
    const res = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: 'bob',
      channels: ['email'],
      data: { name: '<script>alert(1)</script>' },
      content: { email: { subject: 'Hi {{ name }}', text: 'Hi {{ name }}', html: '<p>Hi {{ name }}</p>' } },
    });
    assert.equal(res.status, 202);
    const mails = await smtp.waitFor(before + 1);
    const mail = mails.at(-1);
    assert.ok(mail);
    assert.equal(mail.html?.trim(), '<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>');
    assert.equal(mail.text?.trim(), 'Hi <script>alert(1)</script>');
  });

  it('refuses a second process on the same data folder, naming the owner', async () => {
    await assert.rejects(
      startHeraldProcess('start', { HERALD_DATA_DIR: dataDir }),
      new RegExp(`in use by process ${herald.child.pid}`),
    );
  });
});

describe('embedded mode with no email provider', () => {
  it('captures the message in the outbox, and a restart after SIGKILL keeps every row', async () => {
    const dataDir = tempDir();
    let herald = await startHeraldProcess('start', { HERALD_DATA_DIR: dataDir });
    try {
      const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      const service = await registerService(client(herald.url, adminToken));
      let api = client(herald.url, service.apiKey);
      const res = await api.post('/v1/notifications', {
        type: 'order_shipped',
        recipient: { id: 'cy', email: 'cy@example.com' },
        channels: ['email'],
        data: { order_id: 7 },
        content: { email: { subject: 'Order {{ order_id }}', text: 'Shipped.' } },
      });
      assert.equal(res.status, 202);
      const n = await waitForNotification(api, res.body.id);
      assert.equal(n.deliveries[0].provider, 'capture');
      const outbox = await api.get('/v1/outbox');
      assert.equal(outbox.status, 200);
      assert.equal(outbox.body.data.length, 1);
      assert.equal(outbox.body.data[0].to, 'cy@example.com');
      assert.deepEqual(outbox.body.data[0].content, { subject: 'Order 7', text: 'Shipped.' });

      // A crash leaves PGlite's postmaster.pid behind; Herald must still reopen the folder.
      await herald.stop('SIGKILL');
      writeFileSync(join(dataDir, 'pgdata', 'postmaster.pid'), '-42\n');
      herald = await startHeraldProcess('start', { HERALD_DATA_DIR: dataDir });
      api = client(herald.url, service.apiKey);
      const again = await api.get(`/v1/notifications/${res.body.id}`);
      assert.equal(again.status, 200);
      assert.equal(again.body.deliveries[0].status, 'sent');
      assert.equal((await api.get('/v1/outbox')).body.data.length, 1);
    } finally {
      await herald.stop();
    }
  });
});
