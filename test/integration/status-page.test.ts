/**
 * public/status.html in headless Chromium, against `npm start` (scripts/serve.ts) serving the page and
 * the tracking-status function on 127.0.0.1 over a seeded PostgreSQL database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { freshDatabase, hasPostgres, type TestDatabase } from '../support/pg.ts';
import { SEEDED, seedOperations } from '../support/ops-seed.ts';

const TOKEN = 'status-page-token-0123456789abcdef';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `npm start` with only these settings; resolves with its base URL once it listens. */
async function startServer(env: Record<string, string>): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve.ts'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 45_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('npm run replay')) (clearTimeout(timer), resolve());
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return { base: `http://127.0.0.1:${port}`, child };
}

describe.skipIf(!hasPostgres || !hasChromium)('status page in Chromium', () => {
  let tdb: TestDatabase;
  let browser: TestBrowser;
  let on: { base: string; child: ChildProcess };
  let off: { base: string; child: ChildProcess };

  beforeAll(async () => {
    tdb = await freshDatabase();
    await seedOperations(tdb.sql);
    [on, off, browser] = await Promise.all([
      startServer({ DATABASE_URL: tdb.url, STATUS_TOKEN: TOKEN }),
      startServer({ DATABASE_URL: tdb.url }),
      launchBrowser(),
    ]);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of [on, off]) {
      s?.child.kill('SIGTERM');
      if (s && s.child.exitCode === null) await new Promise((resolve) => s.child.once('exit', resolve));
    }
    await tdb?.drop();
  });

  async function open(base: string, token: string): Promise<Page> {
    const page = await browser.browser.newPage({ viewport: { width: 1200, height: 1000 } });
    await page.goto(`${base}/status.html`);
    await page.fill('#token', token);
    await page.click('#login button[type=submit]');
    return page;
  }

  it('renders the seeded numbers, a 14-point chart per series, and the latest failures', async () => {
    const page = await open(on.base, TOKEN);
    const meta = page.locator('.destination[data-name=meta]');
    await meta.waitFor();
    const stat = (card: typeof meta, name: string) => card.locator(`.stats div:has(dt:text-is("${name}")) dd`).textContent();
    expect(await stat(meta, 'delivered')).toBe(String(SEEDED.meta.delivered));
    expect(await stat(meta, 'dead')).toBe(String(SEEDED.meta.dead));
    expect(await stat(meta, 'backlog')).toBe(String(SEEDED.meta.pending));
    expect(await stat(meta, 'oldest due')).toMatch(/^(10|11) min$/);
    const tiktok = page.locator('.destination[data-name=tiktok]');
    expect(await stat(tiktok, 'skipped')).toBe(String(SEEDED.tiktok.skipped));
    expect(await page.locator('#stripe .stats div:has(dt:text-is("processed")) dd').textContent()).toBe('3');

    for (const series of ['delivered', 'failed', 'skipped']) {
      expect(await meta.locator(`svg.chart g[data-series=${series}] circle`).count()).toBe(14);
    }
    expect(await meta.locator('svg.chart g[data-series=delivered] circle').last().getAttribute('data-value')).toBe(String(SEEDED.meta.deliveredToday));
    expect(await meta.locator('svg.chart g[data-series=failed] circle').last().getAttribute('data-value')).toBe(String(SEEDED.meta.retryingToday));

    // Not configured here: both platforms are off, and their badges say so.
    expect(await meta.locator('[data-health]').getAttribute('data-health')).toBe('off');
    const failures = await meta.locator('table tr').allTextContents();
    expect(failures.join('\n')).toContain(SEEDED.deadReason);
    expect(failures.join('\n')).toContain('TraceDead7');
    expect(await page.evaluate('sessionStorage.getItem("tracking-status-token")')).toBe(TOKEN);
    await page.close();
  });

  it('says so when the token is wrong, and forgets it', async () => {
    const page = await open(on.base, 'not-the-right-token-at-all');
    await page.locator('#message:not([hidden])').waitFor();
    expect(await page.locator('#message').textContent()).toContain('refused (401)');
    expect(await page.locator('.destination').count()).toBe(0);
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.evaluate('sessionStorage.getItem("tracking-status-token")')).toBeNull();
    await page.close();
  });

  it('says so when the function is off', async () => {
    const page = await open(off.base, TOKEN);
    await page.locator('#message:not([hidden])').waitFor();
    expect(await page.locator('#message').textContent()).toContain('off (404)');
    await page.close();
  });
});
