/**
 * Accessibility of every page Herald serves to people, in a real headless Chromium with axe-core
 * injected: each dashboard page (with its detail panes open), the hosted preference page and the open
 * `<herald-inbox>` widget must have no critical or serious violation. Then the dashboard's main flow
 * by keyboard only (find a notification, open it, replay its dead delivery), checked through the API;
 * and the widget's colours follow the host page's custom properties on a dark header.
 * Screenshots go to test-output/a11y/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { blockingViolations } from '../helpers/axe.ts';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { hmacOf, inboxCredentials, sendInApp, type InboxService } from '../helpers/inbox.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../fakes/webhook-receiver.ts';
import type { Herald } from '../../src/main.ts';

const OUT = fileURLToPath(new URL('../../test-output/a11y/', import.meta.url));

describe(
  'accessibility of the dashboard, the preference page and the inbox widget',
  { skip: skipWithoutChromium },
  () => {
    let herald: Herald;
    let receiver: WebhookReceiver;
    let api: Client;
    let apiKey: string;
    let svc: InboxService;
    let browser: Browser;
    let context: BrowserContext;
    let site: Server;
    let siteUrl: string;
    let preferenceLink: string;
    let deadOnly: string;
    const deadIds: string[] = [];

    /** One notification to `who`: an email that is sent and a webhook that dies (the receiver answers 500). */
    async function sendPair(who: string) {
      const res = await api.post('/v1/notifications', {
        type: 'newsletter',
        recipient: { id: who, email: `${who}@example.com` },
        channels: ['email', 'webhook'],
        data: { title: 'March news' },
        content: {
          email: { subject: 'March news', text: 'Hello.', html: '<h1>March news</h1><p>Hello.</p>' },
          webhook: { url: receiver.url, payload: { who } },
        },
      });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const n = await waitForNotification(api, res.body.id);
      const dead = n.deliveries.find((d: any) => d.channel === 'webhook');
      assert.equal(dead.status, 'dead');
      deadIds.push(dead.id);
      return n;
    }

    before(async () => {
      mkdirSync(OUT, { recursive: true });
      receiver = await startWebhookReceiver({ mode: { kind: 'status', status: 500 } });
      herald = await startInProcess({
        config: {
          allowPrivateWebhookUrls: true,
          analytics: { rollupMs: 200 },
          breaker: { failureThreshold: 1000 },
          providers: { webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET }] },
          retry: { default: {}, webhook: { maxAttempts: 1 } },
        },
      });
      const url = herald.url ?? '';
      const s = await registerService(client(url, TEST_ADMIN_TOKEN), 'Acme', [
        'newsletter',
        'trade_executed',
      ]);
      apiKey = s.apiKey;
      api = client(url, apiKey);
      await api.put('/v1/notification-types/newsletter', {
        description: 'Monthly newsletter',
        kind: 'commercial',
        category: 'marketing',
        defaultChannels: ['email'],
      });
      await api.post('/v1/webhook-endpoints', {
        url: receiver.url,
        events: ['delivery.dead', 'delivery.sent'],
      });
      const secret = await api.post('/v1/inbox/secret');
      svc = { id: s.id, api, ...inboxCredentials(secret.body) };
      const n = await sendPair('ann');
      const mail = (await api.get('/v1/outbox')).body.data.find(
        (m: any) => m.deliveryId === n.deliveries.find((d: any) => d.channel === 'email').id,
      );
      preferenceLink = /http:\/\/\S+\/p\/\S+/.exec(mail.content.text)?.[0] ?? '';
      assert.ok(preferenceLink, mail.content.text);
      // A second notification, to another recipient, for the keyboard flow to find by searching.
      await sendPair('kim');
      // A notification whose only delivery dies.
      const only = await api.post('/v1/notifications', {
        type: 'trade_executed',
        recipient: { id: 'dee' },
        channels: ['webhook'],
        content: { webhook: { url: receiver.url, payload: { who: 'dee' } } },
      });
      assert.equal(only.status, 202, JSON.stringify(only.body));
      deadOnly = only.body.id;
      const dn = await waitForNotification(api, deadOnly);
      assert.equal(dn.deliveries[0].status, 'dead');
      assert.equal(dn.outcome, 'undelivered');
      await sendInApp(svc, 'zoe', {
        title: 'Ravi bought INFY',
        body: 'Suggested for you: buy 3 at market',
        actionUrl: 'https://copytrade.test/trades/1',
      });

      // The service's own site: a dark header holding the widget. `?bell=` sets the bell's custom property.
      site = createServer((req, res) => {
        const q = new URL(req.url ?? '/', 'http://x').searchParams;
        const user = q.get('user') ?? 'zoe';
        const bell = q.get('bell');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html lang="en"><head><title>Copytrade</title>
        <style>
          body{margin:0;font-family:sans-serif;padding-bottom:420px}
          .top{display:flex;justify-content:space-between;align-items:center;width:440px;padding:8px 16px;background:#111827;color:#f9fafb}
          ${bell ? `herald-inbox{--herald-bell-color:${bell}}` : ''}
        </style>
        <script src="${url}/widget.js" defer></script></head>
        <body><header class="top"><strong>Copytrade</strong>
        <herald-inbox service="${svc.id}" recipient="${user}" hmac="${hmacOf(svc.hmacKey, user)}"></herald-inbox>
        </header><main><h1>Trades</h1></main></body></html>`);
      });
      site.listen(0, '127.0.0.1');
      await new Promise((r) => site.once('listening', r));
      siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
      browser = await launchChromium();
      // The dashboard's CSP refuses injected scripts; axe is injected, so this context bypasses it.
      context = await browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 800 } });
    });

    after(async () => {
      await context?.close();
      await browser?.close();
      if (site) await new Promise((r) => site.close(r));
      await herald?.stop();
      await receiver?.close();
    });

    async function signIn(token: string): Promise<Page> {
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(`${herald.url}/`);
      assert.deepEqual(await blockingViolations(page), [], 'sign-in page');
      await page.fill('input[name=token]', token);
      await page.click('button[type=submit]');
      await page.waitForSelector('header nav');
      return page;
    }

    it('has no critical or serious axe violation on any dashboard page', async () => {
      const page = await signIn(apiKey);
      const check = async (name: string) => {
        assert.deepEqual(await blockingViolations(page), [], name);
        assert.equal(await page.locator('h1').count(), 1, `${name}: one <h1>`);
        await page.screenshot({ path: join(OUT, `dashboard-${name}.png`), fullPage: true });
      };

      await page.goto(`${herald.url}/#/notifications`);
      await page
        .getByRole('button', { name: /Open notification/ })
        .first()
        .click();
      await page.locator('#timeline').getByText('attempt 1').first().waitFor();
      await check('notifications');

      await page.goto(`${herald.url}/#/dead`);
      await page.locator('tr[data-delivery]').first().waitFor();
      await check('dead');

      await page.goto(`${herald.url}/#/providers`);
      await page.getByRole('cell', { name: 'hooks' }).waitFor();
      await check('providers');

      await page.goto(`${herald.url}/#/analytics`);
      await page.locator('#analytics-chart canvas').waitFor();
      await check('analytics');

      await page.goto(`${herald.url}/#/webhooks`);
      await page.getByRole('button', { name: /Log/ }).first().click();
      await page.getByText('delivery.dead').first().waitFor();
      await check('webhooks');

      await page.goto(`${herald.url}/#/outbox`);
      await page
        .getByRole('button', { name: /Open message/ })
        .first()
        .click();
      await page.frameLocator('iframe.email').getByText('March news').first().waitFor();
      await check('outbox');
      await page.close();

      const admin = await signIn(TEST_ADMIN_TOKEN);
      await admin.getByRole('cell', { name: 'Acme' }).waitFor();
      assert.deepEqual(await blockingViolations(admin), [], 'services');
      assert.equal(await admin.locator('h1').count(), 1, 'services: one <h1>');
      await admin.close();
    });

    it('shows the detail view with words apart, and a dead-only notification as undelivered', async () => {
      const page = await signIn(apiKey);
      await page.goto(`${herald.url}/#/notifications`);
      await page.locator('tr[data-notification]', { hasText: 'ann' }).getByRole('button').click();
      const header = page.locator('#timeline h2');
      await header.waitFor();
      const text = await page.locator('#timeline header').innerText();
      assert.match(text, /accepted \d/, `a space between "accepted" and the date: ${text}`);
      // No word or badge glued to the next one: a letter directly followed by a digit or a URL.
      const all = await page.locator('#timeline').innerText();
      assert.doesNotMatch(all, /[a-z]\d{1,2}\/\d/, all);
      assert.doesNotMatch(all, /[a-z]https?:/, all);
      assert.match(text, /partly delivered/, `email sent and webhook dead: ${text}`);

      await page.locator(`tr[data-notification="${deadOnly}"]`).getByRole('button').click();
      await page.locator('#timeline h2', { hasText: 'trade_executed' }).waitFor();
      const label = await page.locator('#timeline header').innerText();
      assert.match(label, /undelivered · accepted \d/, label);
      assert.doesNotMatch(label, /completed/, label);
      await page.close();
    });

    it('has no critical or serious axe violation on the hosted preference page', async () => {
      const page = await context.newPage();
      await page.goto(preferenceLink);
      await page.getByRole('button', { name: 'Save preferences' }).waitFor();
      assert.deepEqual(await blockingViolations(page), []);
      await page.close();
    });

    it('finds a notification, opens it and replays its dead delivery by keyboard only', async () => {
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      /** Presses Tab until the focused element matches `selector` (inside the light DOM). */
      const tabTo = async (selector: string, max = 60) => {
        for (let i = 0; i < max; i++) {
          await page.keyboard.press('Tab');
          if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
        }
        assert.fail(`Tab never reached ${selector}`);
      };
      await page.goto(`${herald.url}/`);
      await tabTo('input[name=token]');
      await page.keyboard.type(apiKey);
      await page.keyboard.press('Enter');
      await page.waitForSelector('header nav');
      await tabTo('a[href="#/notifications"]');
      await page.keyboard.press('Enter');
      await tabTo('input[name=recipient]');
      await page.keyboard.type('kim');
      await page.keyboard.press('Enter');
      // The search answers with kim's one notification, out of the four sent.
      await page.waitForFunction(() => document.querySelectorAll('tr[data-notification]').length === 1);
      assert.match(await page.locator('tr[data-notification]').innerText(), /kim/);
      await tabTo('tr[data-notification] button');
      await page.keyboard.press('Enter');
      await page.locator('#timeline').waitFor();
      await tabTo('#timeline button.replay');
      receiver.mode = { kind: 'accept' };
      await page.keyboard.press('Space');
      await page
        .locator('#timeline section[aria-label="webhook delivery"] h3 [data-status="sent"]')
        .waitFor();
      const kimDead = deadIds[1] ?? '';
      const history = await eventually(
        async () => {
          const r = await api.get(`/v1/deliveries/${kimDead}/history`);
          return r.body.data.some((e: any) => e.status === 'sent') ? r.body.data : undefined;
        },
        { what: 'the replayed delivery to be sent' },
      );
      assert.equal(history[0].status, 'dead', JSON.stringify(history));
      const n = await api.get(`/v1/deliveries?status=dead`);
      const stillDead = n.body.data.map((d: any) => d.id);
      assert.equal(stillDead.includes(kimDead), false, 'kim’s delivery is no longer dead');
      assert.equal(stillDead.includes(deadIds[0]), true, 'only kim’s dead delivery was replayed');
      assert.ok(
        receiver.receipts.some((r) => JSON.stringify(r.body).includes('"who":"kim"')),
        'the receiver got kim’s webhook',
      );
      await page.screenshot({ path: join(OUT, 'keyboard-replayed.png'), fullPage: true });
      await page.close();
    });

    it('has no critical or serious axe violation in the open widget, and takes the host page’s colours', async () => {
      const page = await context.newPage();
      await page.setViewportSize({ width: 520, height: 560 });
      await page.goto(`${siteUrl}/?user=zoe`);
      await page.waitForSelector('herald-inbox[data-connection="live"]', { timeout: 20_000 });
      const bell = page.locator('herald-inbox .bell');
      // By default the bell takes the header's text colour, so it shows on a dark header.
      assert.equal(await bell.evaluate((e) => getComputedStyle(e).color), 'rgb(249, 250, 251)');
      await page.screenshot({ path: join(OUT, 'widget-dark-header-closed.png') });
      await bell.click();
      await page.locator('herald-inbox li .title').first().waitFor();
      const landmarks = ['landmark-no-duplicate-banner', 'landmark-unique', 'landmark-banner-is-top-level'];
      assert.deepEqual(await blockingViolations(page, { alsoRules: landmarks }), []);
      await page.screenshot({ path: join(OUT, 'widget-dark-header-open.png') });

      await page.goto(`${siteUrl}/?user=zoe&bell=rgb(250,204,21)`);
      await page.waitForSelector('herald-inbox[data-connection="live"]', { timeout: 20_000 });
      assert.equal(await bell.evaluate((e) => getComputedStyle(e).color), 'rgb(250, 204, 21)');
      // ::part hooks reach inside the shadow root.
      await page.addStyleTag({ content: 'herald-inbox::part(badge){background:rgb(0, 100, 0)}' });
      assert.equal(
        await page.locator('herald-inbox .badge').evaluate((e) => getComputedStyle(e).backgroundColor),
        'rgb(0, 100, 0)',
      );
      await page.close();
    });
  },
);
