/**
 * The `<herald-inbox>` widget in a real headless Chromium, on a page served from another origin, the
 * way a service embeds it: one script tag and the recipient's HMAC. A notification sent over the API
 * shows up in the open panel and the badge; marking it read clears the badge; a collapse-key
 * replacement leaves only the newest; keyboard and ARIA work; and with WebSockets unavailable the
 * widget falls back to Server-Sent Events. Screenshots go to test-output/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import type { Browser, Page } from 'playwright-core';
import { client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { addRecipients, hmacOf, inboxService, sendInApp, type InboxService } from '../helpers/inbox.ts';
import type { Herald } from '../../src/main.ts';

const OUT = new URL('../../test-output/', import.meta.url);
// Like PostgreSQL: outside CI a missing browser skips with the reason; under CI it fails.

describe('the <herald-inbox> widget in Chromium', { timeout: 120_000, skip: skipWithoutChromium }, () => {
  let herald: Herald;
  let svc: InboxService;
  let site: Server;
  let siteUrl: string;
  let browser: Browser;

  before(async () => {
    mkdirSync(OUT, { recursive: true });
    herald = await startInProcess();
    const heraldUrl = herald.url ?? '';
    svc = await inboxService(heraldUrl, client(heraldUrl, TEST_ADMIN_TOKEN));
    await addRecipients(svc, ['ann', 'bo', 'cy']);
    // The service's own site, on another origin: its backend computes the HMAC for the signed-in user.
    site = createServer((req, res) => {
      const user = new URL(req.url ?? '/', 'http://x').searchParams.get('user') ?? 'ann';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><title>Copytrade</title>
        <script src="${heraldUrl}/widget.js" defer></script></head>
        <body style="font-family:sans-serif;padding:16px 16px 400px">
        <nav style="display:flex;justify-content:space-between;align-items:center;width:420px">
        <strong>Copytrade</strong>
        <herald-inbox service="${svc.id}" recipient="${user}" hmac="${hmacOf(svc.hmacKey, user)}"></herald-inbox>
        </nav></body></html>`);
    });
    site.listen(0, '127.0.0.1');
    await new Promise((r) => site.once('listening', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => site?.close(r));
    await herald?.stop();
  });

  const widget = (page: Page) => page.locator('herald-inbox');
  const titles = (page: Page) => page.locator('herald-inbox li .title').allTextContents();
  const openPage = async (user: string, { noWebSocket = false } = {}) => {
    const page = await browser.newPage({ viewport: { width: 520, height: 520 } });
    if (noWebSocket) await page.addInitScript(() => Reflect.deleteProperty(window, 'WebSocket'));
    await page.goto(`${siteUrl}/?user=${user}`);
    await page.waitForSelector('herald-inbox[data-connection="live"]', { timeout: 20_000 });
    return page;
  };

  it('shows a sent notification in the open panel and the badge, and clears the badge on read', async () => {
    const page = await openPage('ann');
    const bell = page.locator('herald-inbox .bell');
    const badge = page.locator('herald-inbox .badge');
    assert.equal(await badge.isHidden(), true, 'no badge with nothing unread');
    assert.equal(await bell.getAttribute('aria-expanded'), 'false');

    // Keyboard: Enter opens and moves focus into the panel, Escape closes and gives focus back.
    await bell.focus();
    await page.keyboard.press('Enter');
    assert.equal(await bell.getAttribute('aria-expanded'), 'true');
    assert.equal(await page.locator('herald-inbox [role="dialog"]').isVisible(), true);
    assert.equal(
      await page.evaluate(() => document.querySelector('herald-inbox')?.shadowRoot?.activeElement?.tagName),
      'H2',
    );
    await page.keyboard.press('Escape');
    assert.equal(await bell.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('herald-inbox [role="dialog"]').isHidden(), true);
    assert.equal(
      await page.evaluate(() => document.querySelector('herald-inbox')?.shadowRoot?.activeElement?.className),
      'bell',
    );
    await page.keyboard.press('Space');
    assert.equal(await bell.getAttribute('aria-expanded'), 'true');

    const sentAt = Date.now();
    await sendInApp(svc, 'ann', {
      title: 'Ravi bought INFY',
      body: 'Suggested for you: buy 3 at market',
      actionUrl: 'https://copytrade.test/trades/1',
    });
    await page.waitForFunction(
      () =>
        document.querySelector('herald-inbox')?.shadowRoot?.querySelector('li .title')?.textContent ===
        'Ravi bought INFY',
      undefined,
      { timeout: 20_000, polling: 'raf' },
    );
    const latencyMs = Date.now() - sentAt;
    console.log(`# widget: POST /v1/notifications → item in the panel in ${latencyMs} ms`);
    assert.equal(await badge.textContent(), '1');
    assert.equal(await bell.getAttribute('aria-label'), 'Notifications, 1 unread');
    assert.equal(
      await page.locator('herald-inbox [aria-live="polite"]').textContent(),
      '1 unread notification',
    );
    assert.equal(
      await page.locator('herald-inbox li.unread a.title').getAttribute('href'),
      'https://copytrade.test/trades/1',
    );
    await page.screenshot({ path: new URL('widget-new-item.png', OUT).pathname });

    await page.locator('herald-inbox li.unread button', { hasText: 'Mark as read' }).click();
    await page.waitForFunction(
      () =>
        document.querySelector('herald-inbox')?.shadowRoot?.querySelector('.badge')?.hasAttribute('hidden'),
      undefined,
      { timeout: 20_000 },
    );
    assert.equal(await bell.getAttribute('aria-label'), 'Notifications');
    assert.equal(await page.locator('herald-inbox li.read').count(), 1);
    await page.screenshot({ path: new URL('widget-read.png', OUT).pathname });
    await page.close();
  });

  it('shows only the newest item after a collapse-key replacement', async () => {
    const page = await openPage('bo');
    await page.locator('herald-inbox .bell').click();
    await sendInApp(svc, 'bo', { title: 'Ravi: buy 10 TCS', body: 'x', collapseKey: 'trader:42' });
    await page.waitForFunction(
      () => document.querySelector('herald-inbox')?.shadowRoot?.querySelectorAll('li.unread').length === 1,
      undefined,
      { timeout: 20_000 },
    );
    assert.deepEqual(await titles(page), ['Ravi: buy 10 TCS']);
    await sendInApp(svc, 'bo', { title: 'Ravi: buy 12 TCS', body: 'x', collapseKey: 'trader:42' });
    await page.waitForFunction(
      () =>
        [...(document.querySelector('herald-inbox')?.shadowRoot?.querySelectorAll('li .title') ?? [])]
          .map((e) => e.textContent)
          .join('|') === 'Ravi: buy 12 TCS',
      undefined,
      { timeout: 20_000 },
    );
    assert.equal(await page.locator('herald-inbox .badge').textContent(), '1');
    await page.screenshot({ path: new URL('widget-collapsed.png', OUT).pathname });
    // A reload reads the same state back from the API.
    await page.reload();
    await page.waitForSelector('herald-inbox[data-connection="live"]');
    assert.deepEqual(await titles(page), ['Ravi: buy 12 TCS']);
    assert.equal(await widget(page).locator('.badge').textContent(), '1');
    await page.close();
  });

  it('falls back to Server-Sent Events when WebSockets are unavailable', async () => {
    const page = await openPage('cy', { noWebSocket: true });
    await sendInApp(svc, 'cy', { title: 'Over SSE', body: 'x' });
    await page.waitForFunction(
      () => document.querySelector('herald-inbox')?.shadowRoot?.querySelector('.badge')?.textContent === '1',
      undefined,
      { timeout: 20_000 },
    );
    assert.deepEqual(await titles(page), ['Over SSE']);
    await page.close();
  });
});
