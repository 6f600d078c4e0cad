/**
 * Headers that keep Herald's answers from being misread or misused by a browser: every answer says
 * `nosniff`; the API reference at /docs has a content security policy that forbids framing; and the
 * dashboard's policy, which the outbox's email frames inherit, loads no remote image. The browser
 * part checks in Chromium that a remote image in a captured email is never requested.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Herald } from '../../src/main.ts';
import { client, registerService } from '../helpers/api.ts';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';

/** The sources one directive of a CSP allows. */
function directive(csp: string, name: string): string[] | undefined {
  for (const part of csp.split(';')) {
    const [key, ...values] = part.trim().split(/\s+/);
    if (key === name) return values;
  }
  return undefined;
}

describe('security headers', () => {
  let herald: Herald;
  let base: string;
  let key: string;

  before(async () => {
    herald = await startInProcess({ worker: false });
    base = herald.url ?? '';
    key = (await registerService(client(base, TEST_ADMIN_TOKEN), 'A')).apiKey;
  });
  after(async () => herald?.stop());

  it('says nosniff on JSON answers, errors included', async () => {
    const cases: [string, RequestInit][] = [
      ['/v1/service', { headers: { authorization: `Bearer ${key}` } }],
      ['/v1/service', {}],
      ['/no/such/route', {}],
      ['/v1/recipients/x', { method: 'PUT', headers: { authorization: `Bearer ${key}` }, body: '{' }],
      ['/healthz', {}],
      ['/docs/json', {}],
    ];
    for (const [path, init] of cases) {
      const res = await fetch(`${base}${path}`, init);
      await res.arrayBuffer();
      assert.match(res.headers.get('content-type') ?? '', /json/, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${path} → ${res.status}`);
    }
  });

  it('says nosniff on the dashboard, its assets and the widget script', async () => {
    for (const path of ['/', '/ui/app.mjs', '/ui/dashboard.css', '/widget.js']) {
      const res = await fetch(`${base}${path}`);
      await res.arrayBuffer();
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    }
  });

  it('serves /docs with a policy that forbids framing, inline scripts and remote images', async () => {
    for (const path of ['/docs', '/docs/static/index.html', '/docs/static/swagger-initializer.js']) {
      const res = await fetch(`${base}${path}`);
      await res.arrayBuffer();
      assert.equal(res.status, 200, path);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.deepEqual(directive(csp, 'frame-ancestors'), ["'none'"], `${path}: ${csp}`);
      assert.deepEqual(directive(csp, 'script-src'), ["'self'"], path);
      assert.deepEqual(directive(csp, 'img-src'), ["'self'", 'data:'], path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    }
  });

  it('lets no remote image load in the dashboard (the outbox frames inherit its policy)', async () => {
    const res = await fetch(`${base}/`);
    await res.arrayBuffer();
    const csp = res.headers.get('content-security-policy') ?? '';
    const img = directive(csp, 'img-src') ?? directive(csp, 'default-src') ?? [];
    assert.deepEqual(img, ["'self'", 'data:'], csp);
    assert.deepEqual(directive(csp, 'frame-ancestors'), ["'none'"]);
  });

  describe('in Chromium', { skip: skipWithoutChromium }, () => {
    let browser: Browser;
    before(async () => {
      browser = await launchChromium();
    });
    after(async () => browser?.close());

    it('a captured email with a remote image, shown as the outbox shows it, requests nothing remote', async () => {
      const page = await browser.newPage();
      // Chromium reports neither a sandboxed frame's image requests nor their failures as request
      // events, but it logs both: a load that was tried (and here fails to resolve, the network being
      // closed) or one the policy blocked.
      const logged: string[] = [];
      page.on('console', (m) => logged.push(m.text()));
      await page.goto(`${base}/`);
      // The outbox renders an email's HTML in a sandboxed srcdoc frame; do the same on the real page.
      await page.evaluate(() => {
        const frame = document.createElement('iframe');
        frame.setAttribute('sandbox', '');
        frame.srcdoc = '<p>Hi</p><img src="https://tracker.example/open.gif?who=operator">';
        document.body.append(frame);
      });
      const blocked = () => logged.some((t) => /tracker\.example.*Content Security Policy/.test(t));
      const tried = () => logged.some((t) => /Failed to load resource/.test(t));
      for (let i = 0; i < 50 && !blocked() && !tried(); i++) await page.waitForTimeout(100);
      assert.equal(tried(), false, `the remote image was requested: ${logged.join(' | ')}`);
      assert.equal(blocked(), true, `no sign of the image at all: ${logged.join(' | ')}`);
      await page.close();
    });

    it('the API reference still renders under its policy', async () => {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await page.goto(`${base}/docs/static/index.html`);
      await page.waitForSelector('.opblock', { timeout: 30_000 });
      assert.deepEqual(violations, []);
      await page.close();
    });
  });
});
