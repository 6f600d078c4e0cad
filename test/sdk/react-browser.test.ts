/**
 * @herald/react in headless Chromium against a real Herald: a page bundled with esbuild shows
 * <Inbox/> and <PreferenceCenter/>. A notification sent through the API appears in the inbox, axe
 * finds nothing critical or serious, and a second tab's unread count follows a mark-as-read made in
 * the first; the stream cut at the TCP level while notifications are sent comes back with every one
 * of them exactly once; a type switched off in the preference centre suppresses the next send of
 * it; and the inbox is walked by keyboard alone.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { blockingViolations } from '../helpers/axe.ts';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { startInProcess } from '../helpers/in-process.ts';
import {
  addRecipients,
  hmacHeaders,
  hmacOf,
  inboxService,
  sendInApp,
  type InboxService,
} from '../helpers/inbox.ts';
import { client, eventually, waitForNotification } from '../helpers/api.ts';
import { TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import type { Herald } from '../../src/main.ts';

describe('@herald/react in Chromium', { skip: skipWithoutChromium, timeout: 180_000 }, () => {
  let herald: Herald;
  let service: InboxService;
  let pageServer: Server;
  let pageUrl: string;
  let pageOrigin: string;
  let browser: Browser;
  let proxy: Proxy;

  /** The page for one recipient, talking to Herald directly or through `baseUrl`. */
  const urlFor = (recipientId: string, baseUrl = herald.url ?? '', extra: object = {}) =>
    `${pageOrigin}/#${encodeURIComponent(
      JSON.stringify({
        baseUrl,
        serviceId: service.id,
        recipientId,
        hmac: hmacOf(service.hmacKey, recipientId),
        ...extra,
      }),
    )}`;
  const openPage = async (url: string, errors: string[]): Promise<Page> => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await page.locator('#connection', { hasText: 'live' }).waitFor({ timeout: 20_000 });
    return page;
  };

  before(async () => {
    herald = await startInProcess();
    const url = herald.url ?? '';
    service = await inboxService(url, client(url, TEST_ADMIN_TOKEN));
    await addRecipients(service, ['ada', 'bea', 'cyd', 'dee', 'eve']);
    const bundle = await build({
      entryPoints: [new URL('./fixtures/react-page.ts', import.meta.url).pathname],
      bundle: true,
      format: 'esm',
      write: false,
      define: { 'process.env.NODE_ENV': '"production"' },
      // This checkout's package, wherever the shared node_modules links @herald/react to.
      plugins: [
        {
          name: 'herald-react',
          setup: (b) =>
            b.onResolve({ filter: /^@herald\/react$/ }, () => ({
              path: new URL('../../packages/react/src/index.ts', import.meta.url).pathname,
            })),
        },
      ],
    });
    const js = bundle.outputFiles[0]!.text;
    const html =
      '<!doctype html><html lang="en"><head><title>Inbox</title></head><body style="margin:0"><div id="root"></div><script type="module" src="/app.js"></script></body></html>';
    pageServer = createServer((req, res) => {
      if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      else res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    });
    await new Promise<void>((r) => pageServer.listen(0, '127.0.0.1', r));
    pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
    pageUrl = urlFor('ada');
    proxy = await tcpProxy(Number(new URL(url).port));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    pageServer?.close();
    proxy?.close();
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

  for (const { transport, recipient, extra } of [
    { transport: 'WebSocket', recipient: 'bea', extra: {} },
    {
      transport: 'Server-Sent Events (no WebSocket in the page)',
      recipient: 'eve',
      extra: { noWebSocket: true },
    },
  ])
    it(`a stream cut at the TCP level while notifications are sent resumes with each one exactly once: ${transport}`, async () => {
      const errors: string[] = [];
      const page = await openPage(urlFor(recipient, `http://127.0.0.1:${proxy.port}`, extra), errors);
      await page.getByRole('button', { name: 'Notifications' }).click();
      const send = (title: string) => sendInApp(service, recipient, { title, body: '' });
      for (const t of ['Before 1', 'Before 2']) await send(t);
      await page.getByText('Before 2').waitFor({ timeout: 15_000 });

      // Every connection through the proxy is cut, and new ones are refused while three more are sent.
      proxy.refuse = true;
      proxy.cut();
      await page.locator('#connection', { hasNotText: 'live' }).waitFor({ timeout: 15_000 });
      const during = ['During 1', 'During 2', 'During 3'];
      for (const t of during) await waitForNotification(service.api, await send(t));
      proxy.refuse = false;
      await page.getByText('During 3').waitFor({ timeout: 30_000 });
      await send('After 1');
      await page.getByText('After 1').waitFor({ timeout: 15_000 });

      const expected = ['After 1', ...during.toReversed(), 'Before 2', 'Before 1'];
      assert.deepEqual(await page.locator('.herald-item strong').allTextContents(), expected);
      await page.locator('#count', { hasText: '6' }).waitFor();
      // What the stream itself sent, across every socket: each item once, the missed ones replayed
      // on the new socket (not reloaded), so no gap and no duplicate at the protocol level.
      const frames = await page.evaluate(() => ({
        frames: window.heraldFrames,
        sockets: window.heraldSockets,
      }));
      assert.ok(frames.sockets >= 2, `reconnected (${frames.sockets} sockets)`);
      const created = frames.frames
        .map((f) => ({
          socket: f.socket,
          m: JSON.parse(f.data) as { type: string; item?: { title: string } },
        }))
        .filter((f) => f.m.type === 'item.created');
      assert.deepEqual(created.map((f) => f.m.item?.title).toSorted(), expected.toSorted());
      const firstSocket = created.filter((f) => f.socket === 1).map((f) => f.m.item?.title);
      assert.deepEqual(firstSocket, ['Before 1', 'Before 2']);
      assert.deepEqual(errors, []);
      await page.close();
    });

  it('a type switched off in <PreferenceCenter/> suppresses its next send; on again, it arrives', async () => {
    const errors: string[] = [];
    const page = await openPage(urlFor('cyd'), errors);
    const trades = page.getByRole('checkbox', { name: 'Trade updates' });
    await page.waitForFunction(
      () => !document.querySelector<HTMLInputElement>('.herald-prefs input')?.disabled,
    );
    assert.equal(await trades.isChecked(), true);
    await trades.focus();
    await page.keyboard.press('Space');
    const ruleIs = (want: (rule: Record<string, boolean> | undefined) => boolean) =>
      eventually(
        async () => {
          const res = await service.api.get('/v1/recipients/cyd/preferences');
          return want(res.body.types?.trade_executed) ? true : undefined;
        },
        { what: 'the preference saved' },
      );
    await ruleIs((rule) => rule?.in_app === false);
    assert.equal(await trades.isChecked(), false);

    const muted = await waitForNotification(
      service.api,
      await sendInApp(service, 'cyd', { title: 'Muted trade', body: '' }),
    );
    assert.equal(muted.deliveries[0].status, 'suppressed');
    assert.equal(muted.deliveries[0].reason, 'preference_opt_out');

    await trades.click();
    await ruleIs((rule) => rule === undefined);
    await sendInApp(service, 'cyd', { title: 'Heard trade', body: '' });
    await page.getByRole('button', { name: 'Notifications, 1 unread' }).click();
    await page.getByText('Heard trade').waitFor({ timeout: 15_000 });
    assert.deepEqual(await page.locator('.herald-item strong').allTextContents(), ['Heard trade']);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('<Inbox/> is usable by keyboard alone', async () => {
    const errors: string[] = [];
    const page = await openPage(urlFor('dee'), errors);
    for (const t of ['Key one', 'Key two']) await sendInApp(service, 'dee', { title: t, body: '' });
    await page.locator('#count', { hasText: '2' }).waitFor({ timeout: 15_000 });
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        return {
          tag: el?.tagName.toLowerCase(),
          label: el?.getAttribute('aria-label') ?? el?.textContent ?? '',
          item: el?.closest('li')?.querySelector('strong')?.textContent ?? null,
        };
      });
    const dialog = page.getByRole('dialog', { name: 'Notifications' });

    await page.keyboard.press('Tab');
    assert.deepEqual(await focused(), { tag: 'button', label: 'Notifications, 2 unread', item: null });
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    assert.deepEqual(await focused(), { tag: 'h2', label: 'Notifications', item: null });
    await page.keyboard.press('Tab');
    assert.deepEqual(await focused(), { tag: 'button', label: 'Mark all as read', item: null });
    await page.keyboard.press('Tab');
    assert.deepEqual(await focused(), { tag: 'button', label: 'Mark as read', item: 'Key two' });
    await page.keyboard.press('Enter');
    await page.locator('#count', { hasText: '1' }).waitFor();
    assert.deepEqual(await focused(), { tag: 'button', label: 'Mark as unread', item: 'Key two' });
    await page.keyboard.press('Tab');
    assert.deepEqual(await focused(), { tag: 'button', label: 'Archive', item: 'Key two' });
    await page.keyboard.press('Tab');
    assert.deepEqual(await focused(), { tag: 'button', label: 'Mark as read', item: 'Key one' });
    await page.keyboard.press('Space');
    await page.locator('#count', { hasText: '0' }).waitFor();

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(await focused(), { tag: 'button', label: 'Notifications', item: null });
    // Space opens it too, and Escape gives focus back again.
    await page.keyboard.press('Space');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(await focused(), { tag: 'button', label: 'Notifications', item: null });
    // Herald agrees with what the keyboard did.
    const items = await client(herald.url ?? '').get('/v1/inbox/items', hmacHeaders(service, 'dee'));
    assert.deepEqual(
      items.body.data.map((i: { title: string; readAt: string | null }) => [i.title, i.readAt !== null]),
      [
        ['Key two', true],
        ['Key one', true],
      ],
    );
    assert.deepEqual(errors, []);
    await page.close();
  });
});

interface Proxy {
  port: number;
  /** While true, each new connection is closed as soon as it arrives. */
  refuse: boolean;
  /** Cuts every open connection, as a network loss would. */
  cut(): void;
  close(): void;
}

/** A TCP proxy in front of Herald, whose connections a test can cut. */
async function tcpProxy(targetPort: number): Promise<Proxy> {
  const open = new Set<Socket>();
  const server = createTcpServer((inbound) => {
    if (proxy.refuse) {
      inbound.destroy();
      return;
    }
    const outbound = connect(targetPort, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const proxy: Proxy = {
    port: (server.address() as AddressInfo).port,
    refuse: false,
    cut: () => {
      for (const s of open) s.destroy();
    },
    close: () => {
      proxy.cut();
      server.close();
    },
  };
  return proxy;
}
