/**
 * examples/react-inbox must not rot: it is built with Vite (as `vite build` would), and the built
 * page is served with the example's own demo backend against a real Herald and opened in Chromium,
 * where the welcome notification is in the inbox and a send from the page arrives.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { demoBackend, setUpDemo } from '../../examples/react-inbox/server.ts';
import { blockingViolations } from '../helpers/axe.ts';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import type { Herald } from '../../src/main.ts';

const configFile = fileURLToPath(new URL('../../examples/react-inbox/vite.config.ts', import.meta.url));

describe('examples/react-inbox', { timeout: 240_000 }, () => {
  const outDir = mkdtempSync(join(tmpdir(), 'herald-react-inbox-'));
  after(() => rmSync(outDir, { recursive: true, force: true }));

  before(async () => {
    await build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  });

  it('builds with Vite', () => {
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    const script = /<script type="module"[^>]*src="\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, html);
    const js = readFileSync(join(outDir, script), 'utf8');
    assert.ok(js.includes('herald-bell'), 'the inbox component is in the bundle');
    assert.ok(js.includes('/v1/inbox/preferences'), 'the preference centre reads Herald directly');
    assert.ok(readdirSync(join(outDir, 'assets')).length >= 1);
  });

  describe('the built page against a real Herald', { skip: skipWithoutChromium }, () => {
    let herald: Herald;
    let server: PreviewServer;
    let browser: Browser;
    before(async () => {
      herald = await startInProcess();
      const { config, client } = await setUpDemo(herald.url ?? '', TEST_ADMIN_TOKEN);
      server = await preview({
        configFile,
        logLevel: 'warn',
        build: { outDir },
        preview: { port: 0, host: '127.0.0.1' },
        plugins: [demoBackend(config, client)],
      });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await server?.close();
      await herald?.stop();
    });

    it('shows the welcome, and a notification sent from the page arrives', async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(server.resolvedUrls?.local[0] ?? '');
      await page.getByRole('button', { name: 'Notifications, 1 unread' }).click({ timeout: 30_000 });
      await page.getByText('Welcome to the demo').waitFor();
      await page.getByRole('button', { name: 'Send “Comments on your posts”' }).click();
      await page.getByText('Grace commented on your post').first().waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: 'Notifications, 2 unread' }).waitFor();
      assert.deepEqual(await blockingViolations(page), []);
      assert.deepEqual(errors, []);
    });
  });
});
