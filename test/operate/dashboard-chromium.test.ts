/**
 * The operator dashboard in a real headless Chromium, on an embedded Herald: sign in with a service
 * key, find a dead delivery, replay it, and watch it turn `sent`; visit every page, and sign in with
 * the admin token for the services list. A screenshot of each page goes to test-output/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import type { Browser, Page } from 'playwright-core';
import type { Herald } from '../../src/main.ts';
import { client, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../fakes/webhook-receiver.ts';

const skip = skipWithoutChromium;
const OUT = fileURLToPath(new URL('../../test-output/dashboard/', import.meta.url));

describe('operator dashboard in Chromium', { skip }, () => {
  let herald: Herald;
  let receiver: WebhookReceiver;
  let api: Client;
  let apiKey: string;
  let browser: Browser;
  let deadDelivery: string;
  const consoleErrors: string[] = [];

  before(async () => {
    mkdirSync(OUT, { recursive: true });
    receiver = await startWebhookReceiver({ mode: { kind: 'status', status: 500 } });
    const file = join(mkdtempSync(join(tmpdir(), 'herald-dash-')), 'herald.json');
    writeFileSync(
      file,
      JSON.stringify({
        allowPrivateWebhookUrls: true,
        analytics: { rollupMs: 200 },
        breaker: { failureThreshold: 1000 },
        providers: { webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET }] },
        retry: { default: {}, webhook: { maxAttempts: 1 } },
      }),
    );
    herald = await startInProcess({ env: { HERALD_CONFIG: file } });
    const s = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Acme');
    apiKey = s.apiKey;
    api = client(herald.url ?? '', apiKey);
    await api.post('/v1/webhook-endpoints', {
      url: receiver.url,
      events: ['delivery.dead', 'delivery.sent'],
    });
    const res = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: { id: 'ann', email: 'ann@example.com' },
      channels: ['email', 'webhook'],
      content: {
        email: {
          subject: 'Order shipped',
          text: 'Shipped.',
          html: '<h1>Your order shipped</h1><p>It is on its way.</p>',
        },
        webhook: { url: receiver.url, payload: { order: 'A-1' } },
      },
    });
    assert.equal(res.status, 202);
    const n = await waitForNotification(api, res.body.id);
    const dead = n.deliveries.find((d: any) => d.channel === 'webhook');
    assert.equal(dead.status, 'dead');
    deadDelivery = dead.id;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await herald?.stop();
    await receiver?.close();
  });

  async function signIn(token: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
    // Refused probes (a service key tried on the admin list at sign-in) are expected; script errors are not.
    page.on('console', (m) => {
      if (
        m.type() === 'error' &&
        !m.text().startsWith('Failed to load resource: the server responded with a status of 401')
      )
        consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${herald.url}/`);
    await page.screenshot({ path: join(OUT, '00-sign-in.png') });
    await page.fill('input[name=token]', token);
    await page.click('button[type=submit]');
    await page.waitForSelector('header nav');
    assert.equal(page.url().includes(token), false, 'the token never appears in a URL');
    return page;
  }

  it('replays a dead delivery and shows it turn sent', async () => {
    const page = await signIn(apiKey);
    await page.goto(`${herald.url}/#/dead`);
    const row = page.locator(`tr[data-delivery="${deadDelivery}"]`);
    await row.waitFor();
    assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'dead');
    await page.screenshot({ path: join(OUT, '01-dead-letters.png'), fullPage: true });
    receiver.mode = { kind: 'accept' };
    await row.getByRole('button', { name: 'Replay' }).click();
    await row.locator('[data-status="sent"]').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(OUT, '02-dead-letter-replayed.png'), fullPage: true });
    const n = await api.get(`/v1/deliveries?status=dead`);
    assert.equal(n.body.data.length, 0);
    await page.close();
  });

  it('shows every page a service sees', async () => {
    const page = await signIn(apiKey);
    await page.goto(`${herald.url}/#/notifications`);
    await page.locator('tr[data-notification]').first().getByRole('button').click();
    await page.locator('#timeline').getByText('attempt 1').first().waitFor();
    const timeline = await page.locator('#timeline').innerText();
    assert.match(timeline, /webhook/);
    assert.match(timeline, /became\s*dead/);
    assert.match(timeline, /became\s*sent/);
    await page.screenshot({ path: join(OUT, '03-notification-timeline.png'), fullPage: true });

    await page.goto(`${herald.url}/#/providers`);
    await page.getByRole('cell', { name: 'hooks' }).waitFor();
    await page.screenshot({ path: join(OUT, '04-providers.png'), fullPage: true });

    await page.goto(`${herald.url}/#/analytics`);
    await page.locator('#analytics-totals').waitFor();
    await page.locator('#analytics-chart canvas').waitFor();
    const totals = await page.locator('#analytics-totals').innerText();
    assert.match(totals, /webhook/);
    await page.screenshot({ path: join(OUT, '05-analytics.png'), fullPage: true });

    await page.goto(`${herald.url}/#/webhooks`);
    await page.getByRole('button', { name: 'Log' }).first().click();
    await page.getByText('delivery.dead').first().waitFor();
    await page.screenshot({ path: join(OUT, '06-webhooks.png'), fullPage: true });

    await page.goto(`${herald.url}/#/outbox`);
    await page.locator('tr[data-message]').first().getByRole('button').click();
    const frame = page.frameLocator('iframe.email');
    await frame.getByText('Your order shipped').waitFor();
    assert.equal(await page.locator('iframe.email').getAttribute('sandbox'), '');
    await page.screenshot({ path: join(OUT, '07-outbox.png'), fullPage: true });
    await page.close();
  });

  it('shows the admin the services', async () => {
    const page = await signIn(TEST_ADMIN_TOKEN);
    await page.getByRole('cell', { name: 'Acme' }).waitFor();
    await page.screenshot({ path: join(OUT, '08-services.png'), fullPage: true });
    await page.close();
    assert.deepEqual(consoleErrors, []);
  });
});
