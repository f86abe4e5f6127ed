import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium from Debian's `chromium` package, driven by playwright-core (which never
 * downloads a browser of its own). Under CI the browser is required; elsewhere, without it, the
 * browser suites are skipped with a notice (`apt-get install chromium`).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

if (!hasChromium && process.env.CI) throw new Error(`CI needs Chromium at ${CHROMIUM_PATH} for the browser tests`);

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** One browser (playwright gives it a fresh empty profile); everything it loads is on 127.0.0.1. */
export async function launchBrowser(): Promise<TestBrowser> {
  // Background networking off: this machine's network is closed, and the browser must reach nothing
  // but the test servers anyway.
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
