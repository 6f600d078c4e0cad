/**
 * The hosted preference page in a real headless Chromium: a recipient follows the link from a
 * commercial email, switches off one type's email with the keyboard, saves, and the next notification
 * of that type is suppressed (`preference_opt_out`) while another type still goes.
 * Chromium comes from scripts/ensure-chromium.sh; without it the test is skipped, except under CI.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import type { Browser } from 'playwright-core';
import { client, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, type HeraldProcess } from '../helpers/herald-process.ts';

const skip = skipWithoutChromium;
const OUT = new URL('../../test-output/', import.meta.url);

describe('hosted preference page in Chromium', { skip }, () => {
  let herald: HeraldProcess;
  let api: Client;
  let browser: Browser;

  before(async () => {
    const dataDir = tempDir();
    herald = await startHeraldProcess('start', { HERALD_DATA_DIR: dataDir });
    const admin = client(herald.url, readFileSync(join(dataDir, 'admin-token'), 'utf8').trim());
    api = client(herald.url, (await registerService(admin, 'Acme', ['newsletter', 'receipt'])).apiKey);
    await api.put('/v1/notification-types/newsletter', {
      description: 'Monthly newsletter',
      kind: 'commercial',
      category: 'marketing',
      defaultChannels: ['email'],
    });
    await api.put('/v1/notification-types/receipt', {
      description: 'Order receipts',
      kind: 'transactional',
      category: 'orders',
      defaultChannels: ['email'],
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await herald?.stop();
  });

  const content = {
    email: { subject: '{{ title }}', text: 'Hello, {{ title }}.', html: '<p>Hello, {{ title }}.</p>' },
  };
  async function send(type: string, title: string) {
    const res = await api.post('/v1/notifications', { type, recipient: 'nina', data: { title }, content });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return waitForNotification(api, res.body.id);
  }

  it('opting out of one type by keyboard suppresses that type only', async () => {
    await api.put('/v1/recipients/nina', { email: 'nina@example.com' });
    const first = await send('newsletter', 'March news');
    assert.equal(first.deliveries[0].status, 'sent');
    const mail = (await api.get('/v1/outbox')).body.data.find(
      (m: any) => m.deliveryId === first.deliveries[0].id,
    );
    const link = /http:\/\/\S+\/p\/\S+/.exec(mail.content.text)?.[0];
    assert.ok(link, mail.content.text);

    const page = await browser.newPage();
    try {
      page.setDefaultTimeout(30_000);
      const response = await page.goto(link);
      assert.equal(response?.status(), 200);
      assert.equal(await page.title(), 'Notification preferences – Acme');
      const newsletterEmail = page
        .getByRole('group', { name: 'Monthly newsletter' })
        .getByRole('checkbox', { name: 'Email' });
      const receiptEmail = page
        .getByRole('group', { name: 'Order receipts' })
        .getByRole('checkbox', { name: 'Email' });
      assert.equal(await newsletterEmail.isChecked(), true);
      assert.equal(await receiptEmail.isChecked(), true);

      // Keyboard only: focus the box, Space toggles it, Enter on the button submits the form.
      await newsletterEmail.focus();
      await page.keyboard.press('Space');
      assert.equal(await newsletterEmail.isChecked(), false);
      await page.getByRole('button', { name: 'Save preferences' }).focus();
      await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
      await page.getByRole('status').filter({ hasText: 'Your preferences are saved.' }).waitFor();
      assert.equal(await newsletterEmail.isChecked(), false);
      assert.equal(await receiptEmail.isChecked(), true);
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: new URL('preference-page.png', OUT).pathname, fullPage: true });

      // A token with one character changed is refused.
      const forged = await page.goto(link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
      assert.equal(forged?.status(), 403);
    } finally {
      await page.close();
    }

    assert.deepEqual((await api.get('/v1/recipients/nina/preferences')).body.types, {
      newsletter: { email: false },
    });
    const suppressed = await send('newsletter', 'April news');
    assert.equal(suppressed.deliveries[0].status, 'suppressed');
    assert.equal(suppressed.deliveries[0].reason, 'preference_opt_out');
    const receipt = await send('receipt', 'Order 12');
    assert.equal(receipt.deliveries[0].status, 'sent');
  });

  it('the unsubscribe link opened in a browser asks first, then unsubscribes with one button', async () => {
    await api.put('/v1/recipients/omar', { email: 'omar@example.com' });
    const res = await api.post('/v1/notifications', {
      type: 'newsletter',
      recipient: 'omar',
      data: { title: 'May news' },
      content,
    });
    const n = await waitForNotification(api, res.body.id);
    const mail = (await api.get('/v1/outbox')).body.data.find(
      (m: any) => m.deliveryId === n.deliveries[0].id,
    );
    const unsubscribe = /^<(.+)>$/.exec(mail.content.headers['List-Unsubscribe'])?.[1];
    assert.ok(unsubscribe);

    const page = await browser.newPage();
    try {
      page.setDefaultTimeout(30_000);
      await page.goto(unsubscribe);
      assert.equal((await api.get('/v1/recipients/omar/preferences')).body.unsubscribed, undefined);
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: 'Unsubscribe from news and offers' }).click(),
      ]);
      await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
    } finally {
      await page.close();
    }
    assert.equal((await api.get('/v1/recipients/omar/preferences')).body.unsubscribed, true);
  });
});
