/**
 * @herald/react in headless Chromium against a real Herald: a page bundled with esbuild shows
 * <Inbox/>; a notification sent through the API appears in it, axe finds nothing critical or serious
 * in the open panel, and a second tab's unread count follows a mark-as-read made in the first.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { blockingViolations } from '../helpers/axe.ts';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { startInProcess } from '../helpers/in-process.ts';
import { addRecipients, hmacOf, inboxService, sendInApp, type InboxService } from '../helpers/inbox.ts';
import { client } from '../helpers/api.ts';
import { TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import type { Herald } from '../../src/main.ts';

describe('@herald/react in Chromium', { skip: skipWithoutChromium, timeout: 180_000 }, () => {
  let herald: Herald;
  let service: InboxService;
  let pageServer: Server;
  let pageUrl: string;
  let browser: Browser;

  before(async () => {
    herald = await startInProcess();
    const url = herald.url ?? '';
    service = await inboxService(url, client(url, TEST_ADMIN_TOKEN));
    await addRecipients(service, ['ada']);
    const bundle = await build({
      entryPoints: [new URL('./fixtures/react-page.ts', import.meta.url).pathname],
      bundle: true,
      format: 'esm',
      write: false,
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    const js = bundle.outputFiles[0]!.text;
    const html =
      '<!doctype html><html lang="en"><head><title>Inbox</title></head><body style="margin:0"><div id="root"></div><script type="module" src="/app.js"></script></body></html>';
    pageServer = createServer((req, res) => {
      if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      else res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    });
    await new Promise<void>((r) => pageServer.listen(0, '127.0.0.1', r));
    const config = {
      baseUrl: url,
      serviceId: service.id,
      recipientId: 'ada',
      hmac: hmacOf(service.hmacKey, 'ada'),
    };
    pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/#${encodeURIComponent(JSON.stringify(config))}`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    pageServer?.close();
    await herald?.stop();
  });

  it('shows a notification sent through the API in <Inbox/>, with no critical or serious axe finding, and two tabs agree', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pageUrl);
    await page.getByRole('button', { name: 'Notifications' }).click();
    await page.getByText('No notifications yet.').waitFor();
    await sendInApp(service, 'ada', { title: 'Trade executed', body: 'AAPL x10' });
    await page.getByText('Trade executed').waitFor({ timeout: 15_000 });
    await page.locator('#count', { hasText: '1' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Notifications, 1 unread' }).isVisible());
    assert.deepEqual(await blockingViolations(page), []);

    // A second tab agrees, and follows a mark-as-read made in the first.
    const other = await browser.newPage();
    other.on('pageerror', (e) => errors.push(String(e)));
    await other.goto(pageUrl);
    await other.locator('#count', { hasText: '1' }).waitFor();
    await page.getByRole('button', { name: 'Mark as read' }).click();
    await page.locator('#count', { hasText: '0' }).waitFor();
    await other.locator('#count', { hasText: '0' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(errors, []);
  });
});
