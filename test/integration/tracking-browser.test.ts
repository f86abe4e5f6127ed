import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import createCheckoutSession from '../../netlify/functions/create-checkout-session.ts';
import trackFunction from '../../netlify/functions/track.ts';
import { createApp, setApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { hasChromium, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { useHarness } from '../support/harness.ts';
import { prices } from '../support/fake-stripe.ts';
import { formDecode } from '../support/form-decode.ts';
import { hasPostgres } from '../support/pg.ts';
import { startSite, type SiteServer } from '../support/site-server.ts';

/**
 * public/tracking.js in headless Chromium, on a page served from 127.0.0.1 with the real `track`
 * function behind it and stub pixels that record their calls.
 */
const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');

const PAGE = `<!doctype html>
<meta charset="utf-8">
<script>
  window.pixelCalls = [];
  window.fbq = (...args) => pixelCalls.push(['fbq', ...args]);
  window.ttq = { track: (...args) => pixelCalls.push(['ttq', ...args]) };
  document.cookie = '_fbp=fb.1.1795420700000.1116446470; path=/';
  document.cookie = '_ttp=ttp-browser-cookie; path=/';
</script>
<script type="module">
  import * as tracking from '/tracking.js';
  window.tracking = tracking;
</script>`;

type PixelCall = [string, ...unknown[]];
/** What the test page puts on `window` (the callbacks run in the browser, where globalThis is window). */
type PageGlobals = { tracking: typeof import('../../public/tracking.js'); pixelCalls: PixelCall[] };

describe.skipIf(!hasPostgres || !hasChromium)('public/tracking.js in a real browser', () => {
  const h = useHarness();
  let site: SiteServer;
  let chromium: TestBrowser;

  beforeAll(async () => {
    site = await startSite({
      publicDir: PUBLIC_DIR,
      pages: { '/pricing.html': PAGE, '/thanks.html': PAGE },
      functions: { track: trackFunction, 'create-checkout-session': createCheckoutSession },
    });
    // The site's own address is always an allowed origin (Netlify's URL).
    const env = { ...h.env, URL: site.baseUrl, CHECKOUT_PRICES: prices.licenseUsd.id };
    setApp(createApp({ config: loadConfig(env), log: createLogger('error'), dryRun: true }));
    chromium = await launchBrowser();
  });
  afterAll(async () => {
    await chromium?.close();
    await site?.close();
  });

  async function open(pathAndQuery: string): Promise<Page> {
    const page = await chromium.browser.newPage();
    await page.goto(site.baseUrl + pathAndQuery);
    await page.waitForFunction(() => 'tracking' in globalThis);
    return page;
  }
  const pixelCalls = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobals).pixelCalls);

  it('an event fires both pixels and reaches the server with the same event_id', async () => {
    const page = await open('/pricing.html?utm_source=tt');
    const answered = page.waitForResponse((r) => r.url().endsWith('/.netlify/functions/track'));
    const eventId = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).tracking.track(
        'AddToCart',
        { value: 19, currency: 'EUR', content_ids: ['prod_pro'] },
        { user: { email: 'buyer@example.com' } },
      ),
    );
    expect((await answered).status()).toBe(202);
    await site.settle();

    expect(eventId).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(await pixelCalls(page)).toEqual([
      ['fbq', 'track', 'AddToCart', { value: 19, currency: 'EUR', content_ids: ['prod_pro'] }, { eventID: eventId }],
      ['ttq', 'AddToCart', { value: 19, currency: 'EUR', contents: [{ content_id: 'prod_pro' }] }, { event_id: eventId }],
    ]);
    const rows = await h.tdb.sql`select destination, event_name, event_id, origin, payload from conversion_outbox order by destination`;
    expect(rows.map((r) => [r.destination, r.event_name, r.event_id, r.origin])).toEqual([
      ['meta', 'AddToCart', eventId, 'browser'],
      ['tiktok', 'AddToCart', eventId, 'browser'],
    ]);
    const payload = rows[0]!.payload as { client: Record<string, string>; page: { url: string } };
    expect(payload.client).toMatchObject({ fbp: 'fb.1.1795420700000.1116446470', ttp: 'ttp-browser-cookie', ipAddress: '127.0.0.1' });
    expect(payload.client.userAgent).toMatch(/Chrome/);
    expect(payload.page.url).toBe(`${site.baseUrl}/pricing.html?utm_source=tt`);
    await page.close();
  });

  it('with consent denied, the pixels stay silent and the server records the event as skipped', async () => {
    const page = await open('/pricing.html');
    const answered = page.waitForResponse((r) => r.url().endsWith('/.netlify/functions/track'));
    await page.evaluate(() => {
      const { tracking } = globalThis as unknown as PageGlobals;
      tracking.configure({ consent: 'denied' });
      tracking.track('Lead');
    });
    expect((await answered).status()).toBe(202);
    await site.settle();
    expect(await pixelCalls(page)).toEqual([]);
    expect(await h.count('conversion_outbox', "status = 'skipped' and payload is null")).toBe(2);
    await page.close();
  });

  it('without pixels or crypto.randomUUID (older browsers, plain http) the event still gets an id and reaches the server', async () => {
    const page = await open('/pricing.html');
    const answered = page.waitForResponse((r) => r.url().endsWith('/.netlify/functions/track'));
    const eventId = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals & { fbq?: unknown; ttq?: unknown; crypto: { randomUUID?: unknown } };
      delete g.fbq;
      delete g.ttq;
      Object.defineProperty(g.crypto, 'randomUUID', { value: undefined });
      return g.tracking.track('Contact');
    });
    expect(eventId).toMatch(/^[0-9a-f]{32}$/);
    expect((await answered).status()).toBe(202);
    await site.settle();
    expect(await h.count('conversion_outbox', `event_id = '${eventId}' and event_name = 'Contact'`)).toBe(2);
    await page.close();
  });

  it('purchase() on the success page fires the pixels with the session id, and posts nothing', async () => {
    const page = await open('/thanks.html?session_id=cs_test_a1b2c3');
    const before = site.requests.length;
    const id = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).tracking.purchase({ value: 19, currency: 'EUR' }, { kind: 'subscription' }),
    );
    expect(id).toBe('cs_test_a1b2c3');
    expect(await pixelCalls(page)).toEqual([
      ['fbq', 'track', 'Purchase', { value: 19, currency: 'EUR' }, { eventID: 'cs_test_a1b2c3' }],
      ['ttq', 'CompletePayment', { value: 19, currency: 'EUR' }, { event_id: 'cs_test_a1b2c3' }],
      ['fbq', 'track', 'Subscribe', { value: 19, currency: 'EUR' }, { eventID: 'cs_test_a1b2c3' }],
      ['ttq', 'Subscribe', { value: 19, currency: 'EUR' }, { event_id: 'cs_test_a1b2c3' }],
    ]);
    expect(site.requests.slice(before).filter((p) => p.startsWith('/.netlify/'))).toEqual([]);
    await page.close();
  });

  it('checkout() reaches create-checkout-session (Stripe stand-in), fires InitiateCheckout with the session id and redirects', async () => {
    const page = await open('/pricing.html?fbclid=IwAR0browser&ttclid=E.C.P.browser');
    // Stripe's hosted page is answered inside the browser: nothing may leave 127.0.0.1.
    await page.route('https://checkout.stripe.com/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>Stripe Checkout</title>' }));
    const result = await page.evaluate(
      (price) => (globalThis as unknown as PageGlobals).tracking.checkout(price, { redirect: false, data: { value: 49, currency: 'USD' } }),
      prices.licenseUsd.id,
    );
    expect(result.id).toMatch(/^cs_test_/);
    const posts = h.stripe.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path)).toEqual(['/v1/checkout/sessions']);
    // The page's click ids, cookies and address travel into the session's metadata.
    expect(formDecode(posts[0]!.body as string).metadata).toMatchObject({
      fbclid: 'IwAR0browser', ttclid: 'E.C.P.browser', fbp: 'fb.1.1795420700000.1116446470', ttp: 'ttp-browser-cookie',
      client_ip_address: '127.0.0.1',
    });
    expect(await pixelCalls(page)).toEqual([
      ['fbq', 'track', 'InitiateCheckout', { value: 49, currency: 'USD' }, { eventID: result.id }],
      ['ttq', 'InitiateCheckout', { value: 49, currency: 'USD' }, { event_id: result.id }],
    ]);
    await site.settle();
    const rows = await h.tdb.sql`select event_name, event_id, origin from conversion_outbox order by destination`;
    expect(rows.map((r) => [r.event_name, r.event_id, r.origin])).toEqual([
      ['InitiateCheckout', result.id, 'checkout'],
      ['InitiateCheckout', result.id, 'checkout'],
    ]);

    // The same call without redirect: false goes to the session's url.
    const navigated = page.waitForURL(/checkout\.stripe\.com/);
    await page.evaluate((price) => void (globalThis as unknown as PageGlobals).tracking.checkout(price), prices.licenseUsd.id);
    await navigated;
    expect(page.url()).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    await page.close();
  });
});
