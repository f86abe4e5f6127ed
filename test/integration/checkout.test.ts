/**
 * create-checkout-session through its Netlify entry file, on the real parts: the Stripe API played by
 * the loopback stand-in, the real PostgreSQL, TikTok and Meta played by loopback servers. Then the
 * session's `checkout.session.completed`, signed, through the webhook: the Purchase carries what the
 * browser's request carried.
 */
import type { Context } from '@netlify/functions';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import createCheckoutSession from '../../netlify/functions/create-checkout-session.ts';
import { setApp, type App } from '../../src/app.ts';
import { checkoutSessionMetadata, withCheckoutMetadata } from '../../src/checkout/index.ts';
import { hashUser } from '../../src/conversions/identity/hash-user.ts';
import { formDecode, type FormTree } from '../support/form-decode.ts';
import { prices } from '../support/fake-stripe.ts';
import { metaEventsSent, tiktokEventsSent } from '../support/fake-platforms.ts';
import { signHs256, TEST_USER_ID } from '../support/fake-supabase-auth.ts';
import { testNow, testNowSeconds, useHarness, type Harness } from '../support/harness.ts';
import { loadEvent, newEventId, withChanges } from '../support/stripe-sign.ts';

const JWT_SECRET = 'project-jwt-secret-of-at-least-32-characters';
const SITE = 'https://shop.example';
const URL_ = `http://127.0.0.1/.netlify/functions/create-checkout-session`;
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36';
const h: Harness = useHarness(undefined, {
  CHECKOUT_PRICES: [prices.licenseUsd.id, prices.supportKwd.id, prices.proEur.id, prices.teamUsd.id].join(','),
  URL: SITE,
  ALLOWED_ORIGINS: 'https://www.shop.example',
  SUPABASE_JWT_SECRET: JWT_SECRET,
});

interface Call {
  body?: unknown;
  raw?: string;
  method?: string;
  headers?: Record<string, string>;
  ip?: string;
  app?: App;
}

async function call({ body, raw, method = 'POST', headers = {}, ip = '127.0.0.1', app }: Call = {}) {
  const background: Promise<unknown>[] = [];
  setApp(app ?? h.newApp());
  const context = { ip, waitUntil: (p: Promise<unknown>) => void background.push(p) } as unknown as Context;
  const hasBody = method !== 'GET' && method !== 'OPTIONS';
  const req = new Request(URL_, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(hasBody && { body: raw ?? JSON.stringify(body) }),
  });
  const response = await createCheckoutSession(req, context);
  await Promise.all(background);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** The form of every POST /v1/checkout/sessions the stand-in received. */
const sessionPosts = () => h.stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions');
const lastForm = () => formDecode(sessionPosts().at(-1)?.body ?? '') as Record<string, FormTree & Record<string, FormTree>>;

describe('a session is created', () => {
  it('guest, one-time price: metadata on the session and the payment, InitiateCheckout queued and sent', async () => {
    const res = await call({
      body: { price: prices.licenseUsd.id, quantity: 2, consent: 'granted', ttclid: 'E.C.P.ttclid-body' },
      headers: {
        origin: 'https://www.shop.example',
        referer: 'https://www.shop.example/pricing?fbclid=IwAR_click-1&utm_source=fb',
        cookie: '_fbp=fb.1.1795000000000.555; _ttp=ttp-cookie-1; session=abc',
        'user-agent': UA,
        'x-nf-client-connection-ip': '2001:db8::42',
      },
    });
    expect(res.status).toBe(200);
    const id = res.body?.id as string;
    expect(id).toMatch(/^cs_test_/);
    expect(res.body).toEqual({ id, url: `https://checkout.stripe.com/c/pay/${id}` });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://www.shop.example');

    const post = sessionPosts()[0]!;
    expect(post.stripeVersion).toBe('2026-10-28.endive');
    expect(post.idempotencyKey).toMatch(/^checkout-[0-9a-f-]{36}$/);
    expect(post.authorization).toBe('Bearer sk_test_harness');
    const form = lastForm();
    expect(form.metadata).toMatchObject({
      fbp: 'fb.1.1795000000000.555',
      fbclid: 'IwAR_click-1',
      ttclid: 'E.C.P.ttclid-body',
      ttp: 'ttp-cookie-1',
      client_ip_address: '2001:db8::42',
      client_user_agent: UA,
      event_source_url: 'https://www.shop.example/pricing?fbclid=IwAR_click-1&utm_source=fb',
      ad_consent: 'granted',
    });
    // No _fbc cookie: built from the Referer's fbclid, clicked "now" (ms), case kept.
    const fbc = String(form.metadata?.fbc);
    expect(fbc).toMatch(/^fb\.1\.\d{13}\.IwAR_click-1$/);
    expect(Math.abs(Number(fbc.split('.')[2]) - testNow())).toBeLessThan(60_000);
    expect(form.payment_intent_data).toEqual({ metadata: form.metadata });
    expect(form).toMatchObject({
      mode: 'payment',
      line_items: [{ price: prices.licenseUsd.id, quantity: '2' }],
      success_url: `${SITE}/thanks?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${SITE}/`,
    });
    expect(form).not.toHaveProperty('client_reference_id');
    expect(form).not.toHaveProperty('customer');
    expect(form).not.toHaveProperty('subscription_data');

    const rows = await h.tdb.sql`select destination, event_name, event_id, origin, status, match_keys from public.conversion_outbox order by destination`;
    expect(rows).toEqual([
      { destination: 'meta', event_name: 'InitiateCheckout', event_id: id, origin: 'checkout', status: 'delivered', match_keys: ['ip', 'user_agent', 'fbc', 'fbp', 'ttclid', 'ttp'] },
      { destination: 'tiktok', event_name: 'InitiateCheckout', event_id: id, origin: 'checkout', status: 'delivered', match_keys: ['ip', 'user_agent', 'fbc', 'fbp', 'ttclid', 'ttp'] },
    ]);
    const meta = (h.meta.requests[0]?.body as { data: Record<string, unknown>[] }).data[0]!;
    expect(meta).toMatchObject({
      event_name: 'InitiateCheckout',
      event_id: id,
      action_source: 'website',
      event_source_url: 'https://www.shop.example/pricing?fbclid=IwAR_click-1&utm_source=fb',
      user_data: { client_ip_address: '2001:db8::42', client_user_agent: UA, fbp: 'fb.1.1795000000000.555' },
      custom_data: { currency: 'USD', value: 98 },
    });
  });

  it('signed in, subscription price: the user is the reference, the account email prefills, metadata on the subscription', async () => {
    const token = await signHs256(JWT_SECRET, { email: 'pat@example.com' });
    const res = await call({ body: { items: [{ price: prices.proEur.id, quantity: 1 }] }, headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const form = lastForm();
    expect(form).toMatchObject({ mode: 'subscription', client_reference_id: TEST_USER_ID, customer_email: 'pat@example.com' });
    expect(form).not.toHaveProperty('customer_creation');
    expect(form).not.toHaveProperty('payment_intent_data');
    expect(form.subscription_data).toEqual({ metadata: form.metadata });
    expect(form.metadata).not.toHaveProperty('ad_consent');
    expect(form.metadata).toMatchObject({ client_ip_address: '127.0.0.1' });
  });

  it('reuses the Stripe Customer the database knows for the user, in this mode only', async () => {
    await h.tdb.sql`insert into public.customers (customer_key, stripe_customer_id, user_id, livemode) values
      ('cus_KnownTest1', 'cus_KnownTest1', ${TEST_USER_ID}, false), ('cus_KnownLive1', 'cus_KnownLive1', ${TEST_USER_ID}, true)`;
    const token = await signHs256(JWT_SECRET, { email: 'pat@example.com' });
    expect((await call({ body: { price: prices.licenseUsd.id }, headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const form = lastForm();
    expect(form).toMatchObject({ customer: 'cus_KnownTest1', client_reference_id: TEST_USER_ID });
    expect(form).not.toHaveProperty('customer_email');
    expect(form).not.toHaveProperty('customer_creation');
  });

  it('a user agent longer than Stripe keeps is cut, never failing the checkout; a too-long click id is left out', async () => {
    const longUa = `${UA} ${'x'.repeat(600)}`;
    // An emoji (two UTF-16 units) straddling the 500th unit is dropped whole, never cut in half.
    const page = `https://shop.example/${'a'.repeat(478)}😀/rest`;
    expect(page.indexOf('😀')).toBe(499);
    const res = await call({
      body: { price: prices.licenseUsd.id, ttclid: 't'.repeat(500), event_source_url: page },
      headers: { 'user-agent': longUa, cookie: `_ttp=${'p'.repeat(600)}` },
    });
    expect(res.status).toBe(200);
    const metadata = lastForm().metadata as Record<string, string>;
    expect(metadata.client_user_agent).toHaveLength(500);
    expect(longUa.startsWith(metadata.client_user_agent!)).toBe(true);
    expect(metadata.ttclid).toHaveLength(500);
    expect(metadata.event_source_url).toBe(page.slice(0, 499));
    expect(metadata).not.toHaveProperty('ttp');
  });

  it('a NUL or a lone surrogate in the body is cleaned, never a 500 (the form encoding throws on a lone surrogate)', async () => {
    const res = await call({
      raw: `{"price":"${prices.licenseUsd.id}","fbclid":"IwAR\\ud800","ttclid":"t\\u0000t","event_source_url":"https://shop.example/p?q=\\udc00"}`,
    });
    expect(res.status).toBe(200);
    const metadata = lastForm().metadata as Record<string, string>;
    expect(metadata.ttclid).toBe('tt');
    expect(metadata.fbclid).toBe('IwAR\uFFFD');
  });
});

describe('the exported helpers for apps’ own server code', () => {
  it('write exactly the metadata the function writes, on the session and on the subscription', async () => {
    const headers = {
      cookie: '_fbc=fb.1.1795419000000.IwAR_same; _fbp=fb.1.1795000000000.9; _ttp=ttp-same',
      referer: 'https://shop.example/plans?ttclid=E.C.P.same',
      'user-agent': UA,
      'x-forwarded-for': '192.0.2.60',
    };
    const page = { consent: 'granted' as const, event_source_url: 'https://shop.example/plans?ttclid=E.C.P.same' };
    expect((await call({ body: { price: prices.proEur.id, ...page }, headers })).status).toBe(200);
    const fromFunction = lastForm().metadata;
    const own = checkoutSessionMetadata(new Request('https://app.example/api/checkout', { method: 'POST', headers }), page);
    expect(own).toEqual(fromFunction);
    const params = withCheckoutMetadata({ mode: 'subscription', line_items: [{ price: prices.proEur.id, quantity: 1 }], success_url: `${SITE}/ok` }, own);
    expect(params).toMatchObject({ metadata: own, subscription_data: { metadata: own } });
    expect(params).not.toHaveProperty('payment_intent_data');
  });
});

describe('refused without a session being created', () => {
  const noStripeCall = () => expect(h.stripe.requests).toEqual([]);

  it('a price outside CHECKOUT_PRICES: 400 naming it, and Stripe is not called at all', async () => {
    const res = await call({ body: { items: [{ price: prices.licenseUsd.id }, { price: prices.licenseJpy.id }] } });
    expect(res).toMatchObject({ status: 400, body: { error: `price ${prices.licenseJpy.id} is not for sale here` } });
    noStripeCall();
  });

  it('a foreign origin: 403, preflight included, and Stripe is not called', async () => {
    for (const method of ['POST', 'OPTIONS']) {
      const res = await call({ method, body: { price: prices.licenseUsd.id }, headers: { origin: 'https://evil.example' } });
      expect(res, method).toMatchObject({ status: 403, body: { error: 'origin not allowed' } });
    }
    noStripeCall();
  });

  it('answers an allowed preflight', async () => {
    const res = await call({ method: 'OPTIONS', headers: { origin: SITE, 'access-control-request-method': 'POST' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
    noStripeCall();
  });

  it('mixed one-time and recurring prices: 400, no session', async () => {
    const res = await call({ body: { items: [{ price: prices.licenseUsd.id }, { price: prices.teamUsd.id }] } });
    expect(res).toMatchObject({ status: 400, body: { error: 'one-time and recurring prices cannot be bought in one checkout' } });
    expect(sessionPosts()).toEqual([]);
  });

  it('bad input: 400 / 405 / 413, with a clear message', async () => {
    const cases: [Call, number, RegExp][] = [
      [{ raw: '{"price":' }, 400, /not valid JSON/],
      [{ body: { price: prices.licenseUsd.id, customer: 'cus_someone' } }, 400, /unknown field customer/],
      [{ body: { price: prices.licenseUsd.id, client_reference_id: 'u' } }, 400, /unknown field client_reference_id/],
      [{ body: { price: prices.licenseUsd.id, quantity: 0 } }, 400, /quantity/],
      [{ body: { price: prices.licenseUsd.id, quantity: 100 } }, 400, /quantity/],
      [{ body: { price: prices.licenseUsd.id, consent: 'maybe' } }, 400, /consent/],
      [{ raw: JSON.stringify({ price: prices.licenseUsd.id, event_source_url: `https://a.example/?${'q'.repeat(17000)}` }) }, 413, /larger than 16384/],
      [{ method: 'GET' }, 405, /method not allowed/],
    ];
    for (const [request, status, error] of cases) {
      const res = await call(request);
      expect(res.status, JSON.stringify(request).slice(0, 80)).toBe(status);
      expect(String(res.body?.error)).toMatch(error);
    }
    noStripeCall();
  });

  it('tokens: a bad, expired or non-Bearer Authorization is 401, never a guest checkout', async () => {
    const cases = {
      expired: `Bearer ${await signHs256(JWT_SECRET, {}, -60)}`,
      'wrong secret': `Bearer ${await signHs256('another-secret-of-at-least-32-characters!!')}`,
      'anon audience': `Bearer ${await signHs256(JWT_SECRET, { aud: 'anon' })}`,
      'basic scheme': 'Basic dXNlcjpwYXNz',
      'empty bearer': 'Bearer ',
    };
    for (const [name, authorization] of Object.entries(cases)) {
      const res = await call({ body: { price: prices.licenseUsd.id }, headers: { authorization } });
      expect(res.status, name).toBe(401);
    }
    noStripeCall();
  });

  it('CHECKOUT_REQUIRE_AUTH=true: no token is 401', async () => {
    const app = h.newApp({ CHECKOUT_REQUIRE_AUTH: 'true' });
    expect((await call({ body: { price: prices.licenseUsd.id }, app })).status).toBe(401);
    noStripeCall();
  });

  it('not configured: 500, and the log names only the settings that are missing', async () => {
    const notConfigured = () => h.logs.filter((l) => l.includes('is not configured')).at(-1);
    const noUrl = await call({ body: { price: prices.licenseUsd.id }, app: h.newApp({ URL: '' }) });
    expect(noUrl).toMatchObject({ status: 500, body: { error: 'checkout is not configured' } });
    expect(notConfigured()).toContain('create-checkout-session is not configured: set URL (or CHECKOUT_SUCCESS_URL and CHECKOUT_CANCEL_URL)"');
    await call({ body: { price: prices.licenseUsd.id }, app: h.newApp({ URL: '', CHECKOUT_SUCCESS_URL: `${SITE}/thanks?s={CHECKOUT_SESSION_ID}` }) });
    expect(notConfigured()).toContain('not configured: set CHECKOUT_CANCEL_URL (or URL)"');
    await call({ body: { price: prices.licenseUsd.id }, app: h.newApp({ CHECKOUT_PRICES: '', STRIPE_SECRET_KEY: '' }) });
    expect(notConfigured()).toContain('not configured: set CHECKOUT_PRICES, STRIPE_SECRET_KEY"');
    noStripeCall();
  });

  it('Stripe failing: 502 with a short message, nothing queued', async () => {
    h.stripe.failNext(500, 3);
    const res = await call({ body: { price: prices.supportKwd.id } });
    expect(res).toMatchObject({ status: 502, body: { error: 'Stripe is not available; try again' } });
    expect(await h.count('conversion_outbox')).toBe(0);
  });
});

describe('the database down', () => {
  it('the database down: a guest still gets the session (its InitiateCheckout is lost, logged); a signed-in buyer 503 before Stripe', async () => {
    const app = h.newApp({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    const guest = await call({ app, body: { price: prices.licenseUsd.id } });
    expect(guest.status).toBe(200);
    expect(h.logs.some((l) => l.includes('InitiateCheckout not queued'))).toBe(true);
    const before = sessionPosts().length;
    const token = await signHs256(JWT_SECRET);
    const signedIn = await call({ app, body: { price: prices.licenseUsd.id }, headers: { authorization: `Bearer ${token}` } });
    expect(signedIn).toMatchObject({ status: 503, body: { error: 'try again' } });
    expect(sessionPosts().length).toBe(before);
  });
});

describe('end to end: checkout creation, then the purchase', () => {
  /** `checkout.session.completed` for a session the stand-in created, as Stripe sends it once paid. */
  function completed(sessionId: string): Stripe.Event {
    const session = h.stripe.session(sessionId)!;
    const template = loadEvent('checkout.session.completed.payment.usd.paid');
    return withChanges(template, {
      id: newEventId(),
      created: testNowSeconds(),
      data: {
        object: {
          ...session,
          status: 'complete',
          payment_status: 'paid',
          customer: session.customer ?? 'cus_NewBuyer0001',
          customer_details: template.data.object.customer_details,
          payment_intent: 'pi_3E2eCheckout00001',
        } as never,
      },
    });
  }

  it('the Purchase reaches both platforms with IP, UA, source URL, fbc/fbp, ttclid/ttp and the hashed user id; the InitiateCheckout shares its event id', async () => {
    const token = await signHs256(JWT_SECRET, { email: 'pat@example.com' });
    const res = await call({
      body: { price: prices.licenseUsd.id, consent: 'granted', event_source_url: 'https://shop.example/pro?ttclid=E.C.P.page&x=1' },
      headers: {
        authorization: `Bearer ${token}`,
        origin: SITE,
        cookie: '_fbc=fb.1.1795419000000.IwAR_cookieclick; _fbp=fb.1.1795000000000.777; _ttp=ttp-e2e',
        referer: 'https://shop.example/pro?ttclid=E.C.P.page&x=1',
        'user-agent': UA,
        'x-forwarded-for': '198.51.100.77, 10.0.0.2',
      },
    });
    expect(res.status).toBe(200);
    const id = res.body?.id as string;
    expect(await h.post(completed(id))).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    await h.settle();
    await h.drain();

    expect(tiktokEventsSent(h.tiktok.requests)).toEqual([`CompletePayment:${id}`, `InitiateCheckout:${id}`]);
    expect(metaEventsSent(h.meta.requests)).toEqual([`InitiateCheckout:${id}`, `Purchase:${id}`]);
    const externalId = hashUser({ externalId: TEST_USER_ID }).externalId!;

    const metaPurchase = h.meta.requests.flatMap((r) => (r.body as { data: Record<string, unknown>[] }).data).find((e) => e.event_name === 'Purchase')!;
    expect(metaPurchase).toMatchObject({
      event_id: id,
      event_source_url: 'https://shop.example/pro?ttclid=E.C.P.page&x=1',
      user_data: {
        client_ip_address: '198.51.100.77',
        client_user_agent: UA,
        fbc: 'fb.1.1795419000000.IwAR_cookieclick',
        fbp: 'fb.1.1795000000000.777',
        external_id: [externalId],
      },
    });
    const tiktokPurchase = h.tiktok.requests.flatMap((r) => (r.body as { data: Record<string, unknown>[] }).data).find((e) => e.event === 'CompletePayment')!;
    expect(tiktokPurchase).toMatchObject({
      event_id: id,
      page: { url: 'https://shop.example/pro?ttclid=E.C.P.page&x=1' },
      user: { ip: '198.51.100.77', user_agent: UA, ttclid: 'E.C.P.page', ttp: 'ttp-e2e', external_id: [externalId] },
    });
    const tiktokInitiate = h.tiktok.requests.flatMap((r) => (r.body as { data: Record<string, unknown>[] }).data).find((e) => e.event === 'InitiateCheckout')!;
    expect(tiktokInitiate).toMatchObject({ event_id: id, user: { ip: '198.51.100.77', ttclid: 'E.C.P.page', ttp: 'ttp-e2e', external_id: [externalId] } });
    expect(await h.count('customers', `user_id = '${TEST_USER_ID}'`)).toBe(1);
  });

  it('denied consent: only ad_consent=denied is written, the InitiateCheckout is skipped, nothing reaches a platform', async () => {
    const token = await signHs256(JWT_SECRET);
    const res = await call({
      body: { price: prices.licenseUsd.id, consent: 'denied', fbclid: 'IwAR_denied', event_source_url: 'https://shop.example/p' },
      headers: { authorization: `Bearer ${token}`, cookie: '_fbp=fb.1.1.2; _ttp=t', 'user-agent': UA, 'x-nf-client-connection-ip': '203.0.113.50' },
    });
    expect(res.status).toBe(200);
    const id = res.body?.id as string;
    const form = lastForm();
    expect(form.metadata).toEqual({ ad_consent: 'denied' });
    expect(form.payment_intent_data).toEqual({ metadata: { ad_consent: 'denied' } });
    const rows = await h.tdb.sql`select status, payload, last_error, match_keys from public.conversion_outbox where event_id = ${id}`;
    expect(rows).toEqual([
      { status: 'skipped', payload: null, last_error: 'ad_consent denied', match_keys: [] },
      { status: 'skipped', payload: null, last_error: 'ad_consent denied', match_keys: [] },
    ]);

    expect((await h.post(completed(id))).status).toBe(200);
    await h.settle();
    await h.drain();
    expect(h.tiktok.requests).toEqual([]);
    expect(h.meta.requests).toEqual([]);
    // The webhook stores a JSON null where this function stores SQL NULL: neither keeps anything.
    expect(await h.count('conversion_outbox', `jsonb_typeof(payload) <> 'null' or status <> 'skipped'`)).toBe(0);
    expect(await h.count('conversion_outbox', `event_id = '${id}' and match_keys = '{}'`)).toBe(4);
  });

  it('REQUIRE_AD_CONSENT=true and no consent given behaves as denied', async () => {
    const app = h.newApp({ REQUIRE_AD_CONSENT: 'true' });
    const res = await call({ app, body: { price: prices.licenseUsd.id }, headers: { 'user-agent': UA, cookie: '_fbp=fb.1.1.2' } });
    expect(res.status).toBe(200);
    expect(lastForm().metadata).toEqual({ ad_consent: 'denied' });
    expect(await h.count('conversion_outbox', `status = 'skipped' and payload is null`)).toBe(2);
  });
});
