/**
 * Debian's Chromium for browser tests, launched the way this machine needs it (no sandbox as root, no
 * background networking: the network is closed). scripts/ensure-chromium.sh installs it; without it
 * the tests are skipped with the reason, except under CI, where they fail.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.HERALD_TEST_CHROMIUM ?? '/usr/bin/chromium';

if (!existsSync(CHROMIUM) && process.env.CI) {
  throw new Error(`Chromium is required under CI; run scripts/ensure-chromium.sh (looked for ${CHROMIUM})`);
}

/** `false` when browser tests should run; the skip reason otherwise (never under CI). */
export const skipWithoutChromium: string | false = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM}; run scripts/ensure-chromium.sh`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60_000,
  });
}
