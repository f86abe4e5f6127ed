import { createHash } from 'node:crypto';
import type { Context } from '@netlify/functions';
import { beforeAll, describe, expect, it } from 'vitest';
import trackFunction from '../../netlify/functions/track.ts';
import { createApp, setApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { track } from '../../src/track/index.ts';
import { useHarness } from '../support/harness.ts';
import { hasPostgres } from '../support/pg.ts';

/**
 * `track` through its Netlify entry file, on the real PostgreSQL, with TikTok and Meta played by the
 * local fakes. Expected hashes are computed here with node:crypto from normalised strings written by
 * hand, not by the product's normaliser.
 */
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const SHOP = 'https://shop.example';
const URL_TRACK = 'http://127.0.0.1/.netlify/functions/track';
const NOW_MS = 1_795_424_400_000;
const NOW_S = NOW_MS / 1000;
const UA = 'Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0';
const COOKIES = '_fbp=fb.1.1795420700000.1116446470; _fbc=fb.1.1795420750000.IwAR0abc; _ttp=ttp-cookie-123';

describe.skipIf(!hasPostgres)('track function', () => {
  const h = useHarness();
  const background: Promise<unknown>[] = [];
  const context = { requestId: 'test', waitUntil: (p: Promise<unknown>) => void background.push(p) } as unknown as Context;
  let app: App;
  let appFor: (env: Record<string, string>) => App;

  beforeAll(() => {
    appFor = (env) =>
      createApp({
        config: loadConfig({ ...h.env, ALLOWED_ORIGINS: SHOP, ...env }),
        log: createLogger('debug', (line) => h.logs.push(line)),
        dryRun: true,
        now: () => NOW_MS,
      });
    app = appFor({});
  });

  async function post(body: unknown, init: { headers?: Record<string, string>; method?: string; app?: App; raw?: string; ip?: string } = {}) {
    setApp(init.app ?? app);
    const request = new Request(URL_TRACK, {
      method: init.method ?? 'POST',
      headers: {
        'content-type': 'application/json',
        origin: SHOP,
        'user-agent': UA,
        cookie: COOKIES,
        'x-nf-client-connection-ip': '203.0.113.9',
        referer: `${SHOP}/pricing?utm_source=tt`,
        ...init.headers,
      },
      ...(init.method !== 'GET' && init.method !== 'OPTIONS' && { body: init.raw ?? JSON.stringify(body) }),
    });
    const response = await trackFunction(request, init.ip === undefined ? context : ({ ...context, ip: init.ip } as Context));
    while (background.length > 0) await Promise.allSettled(background.splice(0));
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  }

  it('a Lead reaches both platforms exactly, hashed, with the browser’s IP, user agent and cookies, and no value', async () => {
    const lead = {
      event_name: 'Lead',
      event_id: 'lead-7f3a',
      event_source_url: `${SHOP}/contact?fbclid=ignored`,
      user_data: { email: ' Anna.Berg@Example.COM ', phone: '+1 (650) 555-1212', external_id: 'User-42', first_name: 'Anna', last_name: 'van der Berg' },
    };
    const answer = await post(lead);
    expect(answer).toMatchObject({ status: 202, body: { accepted: 1 } });
    expect(answer.headers.get('access-control-allow-origin')).toBe(SHOP);

    expect(h.meta.requests.map((r) => r.body)).toEqual([{
      data: [{
        event_name: 'Lead',
        event_time: NOW_S,
        event_id: 'lead-7f3a',
        action_source: 'website',
        event_source_url: `${SHOP}/contact?fbclid=ignored`,
        user_data: {
          em: [sha('anna.berg@example.com')],
          ph: [sha('16505551212')],
          fn: [sha('anna')],
          ln: [sha('vanderberg')],
          external_id: [sha('user-42')],
          client_ip_address: '203.0.113.9',
          client_user_agent: UA,
          fbc: 'fb.1.1795420750000.IwAR0abc',
          fbp: 'fb.1.1795420700000.1116446470',
        },
        custom_data: { content_type: 'product' },
      }],
      test_event_code: 'TEST_META',
    }]);
    expect(h.tiktok.requests.map((r) => r.body)).toEqual([{
      event_source: 'web',
      event_source_id: 'CTESTPIXEL0000000000',
      test_event_code: 'TEST_TIKTOK',
      data: [{
        event: 'Lead',
        event_time: NOW_S,
        event_id: 'lead-7f3a',
        user: {
          email: [sha('anna.berg@example.com')],
          phone: [sha('+16505551212')],
          external_id: [sha('user-42')],
          ttp: 'ttp-cookie-123',
          ip: '203.0.113.9',
          user_agent: UA,
        },
        properties: { content_type: 'product' },
        page: { url: `${SHOP}/contact?fbclid=ignored` },
        limited_data_use: false,
      }],
    }]);
    const rows = await h.tdb.sql`select status, origin, match_keys from conversion_outbox order by destination`;
    const keys = ['email', 'phone', 'external_id', 'ip', 'user_agent', 'fbc', 'fbp', 'ttp'];
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { status: 'delivered', origin: 'browser', match_keys: keys },
      { status: 'delivered', origin: 'browser', match_keys: keys },
    ]);
  });

  it('click ids in the named page’s query reach both platforms when the Referer is only an origin (a page on another site)', async () => {
    await post(
      { event_name: 'ViewContent', event_id: 'vc-click', event_source_url: `${SHOP}/landing?fbclid=IwAR1click&ttclid=E.C.P.tt1` },
      { headers: { cookie: '', referer: `${SHOP}/` } },
    );
    const meta = (h.meta.requests[0]!.body as { data: { user_data: Record<string, unknown> }[] }).data[0]!;
    expect(meta.user_data.fbc).toBe(`fb.1.${NOW_MS}.IwAR1click`);
    const tiktok = (h.tiktok.requests[0]!.body as { data: { user: Record<string, unknown> }[] }).data[0]!;
    expect(tiktok.user.ttclid).toBe('E.C.P.tt1');
  });

  it('an AddToCart carries its value, currency and contents to Meta’s custom_data and TikTok’s properties', async () => {
    const answer = await post({
      event_name: 'AddToCart',
      event_id: 'atc-1',
      custom_data: {
        value: 49.5, currency: 'eur', content_type: 'product',
        contents: [{ id: 'prod_pro', quantity: 2, item_price: 19.75 }, { id: 'prod_addon', item_price: 10 }],
      },
    });
    expect(answer.status).toBe(202);
    const meta = (h.meta.requests[0]!.body as { data: Record<string, unknown>[] }).data[0]!;
    expect(meta.event_name).toBe('AddToCart');
    expect(meta.event_source_url).toBe(`${SHOP}/pricing?utm_source=tt`);
    expect(meta.custom_data).toEqual({
      currency: 'EUR',
      value: 49.5,
      content_type: 'product',
      content_ids: ['prod_pro', 'prod_addon'],
      contents: [{ id: 'prod_pro', quantity: 2, item_price: 19.75 }, { id: 'prod_addon', quantity: 1, item_price: 10 }],
      num_items: 3,
    });
    const tiktok = (h.tiktok.requests[0]!.body as { data: Record<string, unknown>[] }).data[0]!;
    expect(tiktok.event).toBe('AddToCart');
    expect(tiktok.properties).toEqual({
      contents: [{ content_id: 'prod_pro', quantity: 2, price: 19.75 }, { content_id: 'prod_addon', quantity: 1, price: 10 }],
      content_type: 'product',
      currency: 'EUR',
      value: 49.5,
    });
  });

  it('a batch is queued in one call; a Search carries its string; accepted counts the events', async () => {
    const answer = await post({
      events: [
        { event_name: 'ViewContent', event_id: 'vc-1', custom_data: { content_ids: ['prod_pro'] } },
        { event_name: 'Search', event_id: 'se-1', custom_data: { search_string: 'annual plan' } },
        { event_name: 'CompleteRegistration', event_id: 'reg-1' },
      ],
    });
    expect(answer).toMatchObject({ status: 202, body: { accepted: 3 } });
    expect(await h.count('conversion_outbox', "status = 'delivered' and origin = 'browser'")).toBe(6);
    const metaEvents = h.meta.requests.flatMap((r) => (r.body as { data: Record<string, unknown>[] }).data);
    expect(metaEvents.find((e) => e.event_name === 'Search')!.custom_data).toEqual({ content_type: 'product', search_string: 'annual plan' });
    const tiktokEvents = h.tiktok.requests.flatMap((r) => (r.body as { data: Record<string, unknown>[] }).data);
    expect(tiktokEvents.find((e) => e.event === 'Search')!.properties).toEqual({ content_type: 'product', query: 'annual plan' });
  });

  it('text Postgres cannot store (NUL, a lone surrogate) in any field is cleaned, never a 500; server track() too', async () => {
    const answer = await post({
      events: [
        { event_name: 'Search', event_id: 'odd-1', custom_data: { search_string: 'annual\u0000 plan\ud800' } },
        { event_name: 'ViewContent', event_id: 'odd-2', event_source_url: `${SHOP}/p/\udc00`, custom_data: { content_ids: ['prod\u0000_pro'], contents: [{ id: '\ud800x' }] } },
        { event_name: 'Lead', event_id: 'odd-3', user_data: { email: 'a\u0000@b.example', first_name: '\udfff' } },
      ],
    });
    expect(answer).toMatchObject({ status: 202, body: { accepted: 3 } });
    const search = await h.tdb.sql`select payload from conversion_outbox where event_id = 'odd-1' limit 1`;
    expect(JSON.stringify(search[0]!.payload)).toContain('annual plan\uFFFD');
    const request = new Request('http://127.0.0.1/signup', { method: 'POST', headers: { 'user-agent': UA } });
    const result = await track({ event_name: 'Search', event_id: 'odd-4', custom_data: { search_string: 'x\u0000\ud800' } }, { request, app });
    expect(result).toEqual({ ok: true, accepted: 1, queued: 2 });
  });

  it('a repeated event_id for the same name is accepted and adds nothing', async () => {
    const lead = { event_name: 'Lead', event_id: 'lead-dup' };
    expect((await post(lead)).body).toEqual({ accepted: 1 });
    expect((await post({ events: [lead, { event_name: 'Contact', event_id: 'lead-dup' }] })).body).toEqual({ accepted: 2 });
    expect(await h.count('conversion_outbox')).toBe(4);
    expect(await h.count('conversion_outbox', "event_name = 'Lead'")).toBe(2);
    expect(h.meta.requests.flatMap((r) => (r.body as { data: { event_name: string }[] }).data.map((e) => e.event_name)).sort()).toEqual(['Contact', 'Lead']);
  });

  it('denied consent is recorded as skipped, keeps no identifier and sends nothing', async () => {
    const answer = await post({ event_name: 'Lead', event_id: 'lead-no', consent: 'denied', user_data: { email: 'a@b.example' } });
    expect(answer).toMatchObject({ status: 202, body: { accepted: 1 } });
    const rows = await h.tdb.sql`select status, payload, last_error, match_keys from conversion_outbox`;
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { status: 'skipped', payload: null, last_error: 'ad_consent denied', match_keys: [] },
      { status: 'skipped', payload: null, last_error: 'ad_consent denied', match_keys: [] },
    ]);
    expect(h.meta.requests).toHaveLength(0);
    expect(h.tiktok.requests).toHaveLength(0);
  });

  it('REQUIRE_AD_CONSENT: an event without consent is not sent; with granted it is', async () => {
    const strict = appFor({ REQUIRE_AD_CONSENT: 'true' });
    await post({ event_name: 'Lead', event_id: 'strict-1' }, { app: strict });
    await post({ event_name: 'Lead', event_id: 'strict-2', consent: 'granted' }, { app: strict });
    const rows = await h.tdb.sql`select event_id, status from conversion_outbox where destination = 'meta' order by event_id`;
    expect(rows.map((r) => `${r.event_id}:${r.status}`)).toEqual(['strict-1:skipped', 'strict-2:delivered']);
  });

  it.each([
    ['a browser Purchase', { event_name: 'Purchase', event_id: 'p-1' }, /^event_name: Purchase is sent by the server/],
    ['a browser CompletePayment', { event_name: 'CompletePayment', event_id: 'p-1' }, /^event_name: CompletePayment is sent by the server/],
    ['an unknown name', { event_name: 'Dance', event_id: 'd-1' }, /^event_name: unknown event "Dance"/],
    ['a missing event_id', { event_name: 'Lead' }, /^event_id: /],
    ['a bad event_id', { event_name: 'Lead', event_id: 'a/b' }, /^event_id: must be 1 to 100 characters/],
    ['an unknown field', { event_name: 'Lead', event_id: 'x', price: 5 }, /^event: unknown field price/],
    ['a bad event in a batch', { events: [{ event_name: 'Lead', event_id: 'ok' }, { event_name: 'Purchase', event_id: 'p' }] }, /^events\[1\]\.event_name: Purchase/],
    ['21 events', { events: Array.from({ length: 21 }, (_, i) => ({ event_name: 'Lead', event_id: `e${i}` })) }, /^events\[20\]: at most 20 events/],
  ])('refuses %s with 400 and writes nothing', async (_name, body, message) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.body!.error).toMatch(message);
    expect(await h.count('conversion_outbox')).toBe(0);
  });

  it('refuses a body that is not JSON (400), larger than 16 KiB (413), and other methods (405)', async () => {
    expect(await post(null, { raw: '{"event_name":' })).toMatchObject({ status: 400, body: { error: 'body is not valid JSON' } });
    const big = { event_name: 'Lead', event_id: 'big', custom_data: { search_string: 'x'.repeat(17_000) } };
    expect(await post(big)).toMatchObject({ status: 413, body: { error: 'body larger than 16384 bytes' } });
    const put = await post({}, { method: 'PUT' });
    expect(put).toMatchObject({ status: 405, body: { error: 'method not allowed' } });
    expect(put.headers.get('allow')).toBe('GET, POST, OPTIONS');
    expect(await h.count('conversion_outbox')).toBe(0);
  });

  it('answers the preflight of an allowed origin, and 403 to a foreign one (preflight included)', async () => {
    const preflight = await post(null, { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    const foreign = { origin: 'https://evil.example' };
    expect(await post(null, { method: 'OPTIONS', headers: foreign })).toMatchObject({ status: 403, body: { error: 'origin not allowed' } });
    expect(await post({ event_name: 'Lead', event_id: 'x' }, { headers: foreign })).toMatchObject({ status: 403, body: { error: 'origin not allowed' } });
    expect(await h.count('conversion_outbox')).toBe(0);
  });

  it('GET says which destinations are on, without secrets', async () => {
    const answer = await post(null, { method: 'GET' });
    // The harness's Stripe key is a test key: every conversion goes with the test event codes.
    expect(answer).toMatchObject({ status: 200, body: { ok: true, destinations: { tiktok: 'test-only', meta: 'test-only' } } });
    const off = await post(null, { method: 'GET', app: appFor({ STRIPE_SECRET_KEY: 'sk_live_x', META_ACCESS_TOKEN: '' }) });
    expect(off.body).toEqual({ ok: true, destinations: { tiktok: 'on', meta: 'off' } });
    expect(JSON.stringify(off.body)).not.toMatch(/token|TEST_|CTESTPIXEL/);
  });

  it('the rate limit holds under a burst: the limit per IP, then 429 with retry-after; other IPs go on', async () => {
    const limited = appFor({ TRACK_RATE_LIMIT_PER_MINUTE: '5' });
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post({ event_name: 'ViewContent', event_id: `burst-${i}` }, { app: limited })),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    const refused = burst.find((r) => r.status === 429)!;
    expect(refused.body).toEqual({ error: 'too many requests, retry later' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await h.count('conversion_outbox')).toBe(10);
    const other = await post({ event_name: 'ViewContent', event_id: 'other-ip' }, { app: limited, headers: { 'x-nf-client-connection-ip': '198.51.100.4' } });
    expect(other.status).toBe(202);
  });

  it('the rate limit counts the address the platform saw: client-written IP headers do not open new windows', async () => {
    const limited = appFor({ TRACK_RATE_LIMIT_PER_MINUTE: '5' });
    const spoofed = [];
    for (let i = 0; i < 8; i++) {
      const headers = { 'x-forwarded-for': `198.51.100.${i}`, 'x-nf-client-connection-ip': `192.0.2.${i}` };
      spoofed.push((await post({ event_name: 'ViewContent', event_id: `spoof-${i}` }, { app: limited, headers, ip: '203.0.113.77' })).status);
    }
    expect(spoofed).toEqual([202, 202, 202, 202, 202, 429, 429, 429]);
  });

  it('the rate limit counts an IPv6 client by its /64: rotating through the prefix opens no new window', async () => {
    const limited = appFor({ TRACK_RATE_LIMIT_PER_MINUTE: '5' });
    const rotated = [];
    for (let i = 0; i < 8; i++) {
      rotated.push((await post({ event_name: 'ViewContent', event_id: `v6-${i}` }, { app: limited, ip: `2001:db8:7:7:${i.toString(16)}::1` })).status);
    }
    expect(rotated).toEqual([202, 202, 202, 202, 202, 429, 429, 429]);
    expect((await post({ event_name: 'ViewContent', event_id: 'v6-other' }, { app: limited, ip: '2001:db8:7:8::1' })).status).toBe(202);
  });

  it('server-side track(): the app’s CompleteRegistration, from the request it answers, delivered after the response', async () => {
    const request = new Request('http://127.0.0.1/signup', {
      method: 'POST',
      headers: { 'user-agent': UA, cookie: COOKIES, 'x-nf-client-connection-ip': '203.0.113.10', referer: `${SHOP}/signup` },
    });
    const result = await track(
      { event_name: 'CompleteRegistration', event_id: 'signup-user-42', user_data: { email: 'new@example.com', external_id: 'user-42' } },
      { request, app, waitUntil: (p) => void background.push(p) },
    );
    expect(result).toEqual({ ok: true, accepted: 1, queued: 2 });
    await Promise.allSettled(background.splice(0));
    const rows = await h.tdb.sql`select status, origin from conversion_outbox`;
    expect(rows.map((r) => `${r.origin}:${r.status}`)).toEqual(['server:delivered', 'server:delivered']);
    const tiktok = (h.tiktok.requests[0]!.body as { data: { event: string; user: Record<string, unknown>; page: unknown }[] }).data[0]!;
    expect(tiktok.event).toBe('CompleteRegistration');
    expect(tiktok.user).toMatchObject({ email: [sha('new@example.com')], external_id: [sha('user-42')], ip: '203.0.113.10' });
    expect(tiktok.page).toEqual({ url: `${SHOP}/signup` });
    expect(await track({ event_name: 'Purchase', event_id: 'x' }, { request, app })).toEqual({
      ok: false,
      error: "event_name: Purchase is sent by the server from Stripe's webhook; a browser may not report revenue",
    });
  });
});
