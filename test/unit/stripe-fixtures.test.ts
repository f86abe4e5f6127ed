import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureStripeState, lineItemsFor, startFakeStripe, type FakeStripe, type WireLineItem } from '../support/fake-stripe.ts';
import {
  eventBody,
  fixtureNames,
  loadEvent,
  rawFixture,
  signedHeader,
  signedRequest,
  withChanges,
  type FixtureName,
} from '../support/stripe-sign.ts';

const SECRET = 'whsec_test_secret_for_unit_tests_only';
const API_KEY = 'sk_test_fake_key_for_unit_tests_only';
const URL_ = 'http://127.0.0.1/.netlify/functions/stripe-webhook';
const T0 = 1795420800;

/** Plain JSON of an API result: stripe-node coerces `Stripe.Decimal` fields of API responses to objects. */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** What the function sees: the body read back through a Web Request. */
async function roundTrip(body: string): Promise<string> {
  return new Request(URL_, { method: 'POST', body }).text();
}

const OBJECT_FOR_TYPE: Record<string, string> = {
  'checkout.session.completed': 'checkout.session',
  'checkout.session.async_payment_succeeded': 'checkout.session',
  'checkout.session.async_payment_failed': 'checkout.session',
  'checkout.session.expired': 'checkout.session',
  'invoice.paid': 'invoice',
  'customer.subscription.created': 'subscription',
  'customer.created': 'customer',
};

describe('Stripe event fixtures', () => {
  it.each(fixtureNames)('%s is a well-formed Stripe event', (name) => {
    const event = loadEvent(name);
    expect(event.object).toBe('event');
    expect(event.id).toMatch(/^evt_1[A-Za-z0-9]{23}$/);
    expect(event.api_version).toBe('2026-10-28.endive');
    expect(event.livemode).toBe(false);
    expect(event.pending_webhooks).toBeGreaterThan(0);
    expect(event.request).toEqual({ id: null, idempotency_key: null });
    expect(Number.isInteger(event.created)).toBe(true);
    expect(Math.abs(event.created - T0)).toBeLessThan(3 * 86400);
    expect(name.startsWith(`${event.type}.`) || name === event.type).toBe(true);
    expect(event.data.object.object).toBe(OBJECT_FOR_TYPE[event.type]);
    expect(rawFixture(name)).toBe(`${JSON.stringify(event, null, 2)}\n`);
  });

  it.each(fixtureNames)('%s passes constructEvent after a Request round trip', async (name) => {
    const expected = loadEvent(name);
    for (const body of [rawFixture(name), eventBody(expected)]) {
      const header = signedHeader(body, SECRET);
      const received = await roundTrip(body);
      expect(received).toBe(body);
      expect(Stripe.webhooks.constructEvent(received, header, SECRET)).toEqual(expected);
    }
  });

  it.each(fixtureNames)('%s fails verification once tampered', async (name) => {
    const body = rawFixture(name);
    const header = signedHeader(body, SECRET);
    const tampered = body.replace(/"livemode": false/, '"livemode": true');
    expect(tampered).not.toBe(body);
    expect(() => Stripe.webhooks.constructEvent(tampered, header, SECRET)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() => Stripe.webhooks.constructEvent(body, header, 'whsec_some_other_fake_secret')).toThrow(
      /No signatures found matching/,
    );
  });

  it('non-ASCII text survives signing, the Request round trip and verification', async () => {
    const cases: [FixtureName, (e: Stripe.Event) => unknown, string][] = [
      ['checkout.session.completed.payment.usd.paid', (e) => (e.data.object as Stripe.Checkout.Session).customer_details?.name, 'Zoë Ångström'],
      ['checkout.session.completed.payment.jpy.unpaid-konbini', (e) => (e.data.object as Stripe.Checkout.Session).customer_details?.name, '山田 花子'],
      ['invoice.paid.subscription_create.eur', (e) => (e.data.object as Stripe.Invoice).description, 'Pro – 1 × €19.00 / Monat'],
      ['checkout.session.completed.payment.kwd.paid', (e) => (e.data.object as Stripe.Checkout.Session).customer_details?.name, 'فاطمة الصباح'],
    ];
    for (const [name, pick, text] of cases) {
      const body = rawFixture(name);
      const req = signedRequest(URL_, body, SECRET);
      const event = Stripe.webhooks.constructEvent(await req.text(), req.headers.get('stripe-signature') ?? '', SECRET);
      expect(pick(event)).toBe(text);
      // Decoding the bytes as latin1 instead of UTF-8 breaks the signature.
      const latin1 = Buffer.from(body, 'utf8').toString('latin1');
      expect(() => Stripe.webhooks.constructEvent(latin1, req.headers.get('stripe-signature') ?? '', SECRET)).toThrow(
        /No signatures found matching/,
      );
    }
  });

  it('signedHeader honours an explicit timestamp (and the 300 s tolerance applies)', () => {
    const body = eventBody(loadEvent('customer.created'));
    const now = Math.floor(Date.now() / 1000);
    expect(signedHeader(body, SECRET, now - 10)).toMatch(new RegExp(`^t=${now - 10},v1=[0-9a-f]{64}$`));
    expect(() => Stripe.webhooks.constructEvent(body, signedHeader(body, SECRET, now - 301), SECRET)).toThrow(/tolerance/);
  });

  it('withChanges deep-merges a patch into a clone and can mint a new event id', () => {
    const original = loadEvent('checkout.session.completed.payment.jpy.unpaid-konbini');
    const paid = withChanges(original, { data: { object: { payment_status: 'paid', metadata: { ad_consent: 'denied' } } } }, { newId: true });
    expect(paid.id).toMatch(/^evt_1[A-Za-z0-9]{23}$/);
    expect(paid.id).not.toBe(original.id);
    expect(paid.data.object.payment_status).toBe('paid');
    expect(paid.data.object.metadata).toMatchObject({ ad_consent: 'denied', ttclid: original.data.object.metadata?.ttclid });
    expect(original.data.object.payment_status).toBe('unpaid');
    const same = withChanges(original, { data: { object: { customer_details: undefined } } });
    expect(same.id).toBe(original.id);
    expect('customer_details' in same.data.object).toBe(false);
    expect(withChanges(original, {}, { newId: 'evt_1FixedIdForTheTestAbCdE' }).id).toBe('evt_1FixedIdForTheTestAbCdE');
  });

  it('the fixtures tell one consistent story', () => {
    const ids = fixtureNames.map((n) => loadEvent(n).id);
    expect(new Set(ids).size).toBe(ids.length);

    const usd = loadEvent('checkout.session.completed.payment.usd.paid').data.object;
    expect(usd).toMatchObject({ mode: 'payment', payment_status: 'paid', status: 'complete', amount_total: 4900, currency: 'usd', invoice: null, subscription: null });
    expect(usd.client_reference_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(usd.payment_intent).toMatch(/^pi_/);
    expect(usd.customer).toBe(loadEvent('customer.created').data.object.id);
    expect(usd.customer_details).toMatchObject({ email: 'zoe.angstrom@example.com', phone: '+46701234567', address: { city: 'Malmö', postal_code: '211 22', country: 'SE' } });
    expect(Object.keys(usd.metadata ?? {}).sort()).toEqual(
      ['ad_consent', 'client_ip_address', 'client_user_agent', 'event_source_url', 'fbclid', 'fbp', 'ttclid', 'ttp'],
    );
    expect(usd.metadata).toMatchObject({ fbclid: 'IwAR0xyz', client_ip_address: '203.0.113.7', ad_consent: 'granted' });

    const eur = loadEvent('checkout.session.completed.subscription.eur.paid').data.object;
    const invoice = loadEvent('invoice.paid.subscription_create.eur').data.object;
    expect(eur).toMatchObject({ mode: 'subscription', payment_status: 'paid', amount_total: 1900, currency: 'eur', payment_intent: null, customer_email: 'lena.mueller@example.de' });
    expect(eur.invoice).toBe(invoice.id);
    expect(invoice).toMatchObject({ billing_reason: 'subscription_create', status: 'paid', amount_paid: 1900, currency: 'eur', customer: eur.customer });
    expect(invoice.parent?.subscription_details?.subscription).toBe(eur.subscription);
    expect('subscription' in invoice).toBe(false);
    expect(invoice.lines.data[0]?.parent?.subscription_item_details?.subscription).toBe(eur.subscription);

    const trialSub = loadEvent('customer.subscription.created.trialing.usd').data.object;
    const trialSession = loadEvent('checkout.session.completed.subscription.usd.trialing').data.object;
    expect(trialSession).toMatchObject({ mode: 'subscription', payment_status: 'no_payment_required', amount_total: 0, subscription: trialSub.id, customer: trialSub.customer, invoice: trialSub.latest_invoice });
    expect(trialSub.status).toBe('trialing');
    expect((trialSub.trial_end ?? 0) - (trialSub.trial_start ?? 0)).toBe(14 * 86400);
    expect(trialSub.items.data[0]?.current_period_end).toBe(trialSub.trial_end);
    expect(trialSub.billing_mode.type).toBe('flexible');
    expect('current_period_end' in trialSub).toBe(false);

    const jpy = (['checkout.session.completed.payment.jpy.unpaid-konbini', 'checkout.session.async_payment_succeeded.jpy', 'checkout.session.async_payment_failed.jpy'] as const).map((n) => loadEvent(n));
    expect(new Set(jpy.map((e) => e.data.object.id)).size).toBe(1);
    expect(jpy.map((e) => e.data.object.payment_status)).toEqual(['unpaid', 'paid', 'unpaid']);
    expect(jpy[1]!.created).toBeGreaterThan(jpy[0]!.created);
    expect(jpy[2]!.created).toBeGreaterThan(jpy[0]!.created);
    expect(jpy[0]!.data.object).toMatchObject({ amount_total: 5000, currency: 'jpy', customer: null, customer_details: { name: '山田 花子', address: { country: 'JP' } } });
    expect(jpy[0]!.data.object.payment_method_types).toContain('konbini');

    const expired = loadEvent('checkout.session.expired.usd').data.object;
    expect(expired).toMatchObject({ status: 'expired', payment_status: 'unpaid', payment_intent: null });

    const kwd = loadEvent('checkout.session.completed.payment.kwd.paid').data.object;
    expect(kwd).toMatchObject({ amount_total: 5120, currency: 'kwd', payment_status: 'paid', customer_details: { phone: '99887766', address: { country: 'KW' } } });
  });
});

describe('fake Stripe API', () => {
  let fake: FakeStripe;
  let stripe: Stripe;
  const state = fixtureStripeState();
  const usdSession = loadEvent('checkout.session.completed.payment.usd.paid').data.object.id;
  const trial = loadEvent('customer.subscription.created.trialing.usd').data.object;

  const client = (key: string, extra: Partial<Stripe.StripeConfig> = {}) =>
    new Stripe(key, { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 0, ...extra });

  beforeAll(async () => {
    fake = await startFakeStripe(state);
    stripe = client(API_KEY);
  });
  afterAll(async () => {
    await fake.close();
  });

  it('lists a session’s line items', async () => {
    const list = await stripe.checkout.sessions.listLineItems(usdSession);
    expect(list.object).toBe('list');
    expect(list.has_more).toBe(false);
    expect(list.url).toBe(`/v1/checkout/sessions/${usdSession}/line_items`);
    expect(wire(list.data)).toEqual(lineItemsFor.usd);
    // Unlike webhook payloads, API responses carry Decimal objects, not strings.
    expect(typeof list.data[0]?.price?.unit_amount_decimal).toBe('object');
    const last = fake.requests.at(-1);
    expect(last).toMatchObject({ method: 'GET', path: `/v1/checkout/sessions/${usdSession}/line_items`, authorization: `Bearer ${API_KEY}`, stripeVersion: '2026-10-28.endive', status: 200 });
  });

  it('auto-paginates over several pages with limit and starting_after', async () => {
    const template = lineItemsFor.kwd[0]!;
    const many: WireLineItem[] = Array.from({ length: 25 }, (_, i) => ({ ...template, id: `li_1Page${String(i).padStart(2, '0')}RxFx7Qa2AbCdEfGh` }));
    fake.setLineItems('cs_test_a1ManyItems', many);
    const before = fake.requests.length;
    const seen: string[] = [];
    for await (const item of stripe.checkout.sessions.listLineItems('cs_test_a1ManyItems', { limit: 10 })) seen.push(item.id);
    expect(seen).toEqual(many.map((i) => i.id));
    const pages = fake.requests.slice(before);
    expect(pages.map((r) => r.query.starting_after)).toEqual([undefined, many[9]!.id, many[19]!.id]);
    expect(pages.every((r) => r.query.limit === '10')).toBe(true);
    const kwdSession = loadEvent('checkout.session.completed.payment.kwd.paid').data.object.id;
    const all = await stripe.checkout.sessions.listLineItems(kwdSession, { limit: 1 }).autoPagingToArray({ limit: 100 });
    expect(all.map((i) => i.amount_total)).toEqual([3200, 1920]);
  });

  it('retrieves subscriptions, invoices and sessions (with line_items expanded)', async () => {
    expect(wire(await stripe.subscriptions.retrieve(trial.id))).toEqual(trial);
    const invoice = loadEvent('invoice.paid.subscription_create.eur').data.object;
    expect((await stripe.invoices.retrieve(invoice.id)).id).toBe(invoice.id);
    const eurSub = await stripe.subscriptions.retrieve(invoice.parent?.subscription_details?.subscription as string);
    expect(eurSub).toMatchObject({ status: 'active', currency: 'eur', latest_invoice: invoice.id });
    expect(eurSub.items.data[0]?.current_period_end).toBe(invoice.lines.data[0]?.period.end);
    const session = await stripe.checkout.sessions.retrieve(usdSession, { expand: ['line_items'] });
    expect(wire(session.line_items?.data)).toEqual(lineItemsFor.usd);
  });

  it('answers Stripe’s errors: 401 without a valid key, 404 for unknown ids, 400 for bad paging', async () => {
    const raw = await fetch(`${fake.baseUrl}/v1/subscriptions/${trial.id}`);
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ error: { type: 'invalid_request_error', message: expect.stringMatching(/^You did not provide an API key/) } });

    const noKey = client('not_a_real_key');
    const error = await noKey.subscriptions.retrieve(trial.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error).toMatchObject({ statusCode: 401, type: 'StripeAuthenticationError' });

    await expect(stripe.subscriptions.retrieve('sub_1Missing0RxFx7Qa2Missing0')).rejects.toMatchObject({
      type: 'StripeInvalidRequestError', statusCode: 404, code: 'resource_missing', message: "No such subscription: 'sub_1Missing0RxFx7Qa2Missing0'",
    });
    await expect(stripe.checkout.sessions.listLineItems('cs_test_a1Unknown')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
    await expect(stripe.checkout.sessions.listLineItems(usdSession, { starting_after: 'li_nope' })).rejects.toMatchObject({ statusCode: 400, param: 'starting_after' });
    await expect(stripe.checkout.sessions.listLineItems(usdSession, { limit: 101 })).rejects.toMatchObject({ statusCode: 400, param: 'limit' });
  });

  it('injects failures and latency', async () => {
    fake.failNext(429);
    await expect(stripe.subscriptions.retrieve(trial.id)).rejects.toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    fake.failNext(500);
    await expect(stripe.subscriptions.retrieve(trial.id)).rejects.toMatchObject({ type: 'StripeAPIError', statusCode: 500 });

    fake.failNext(503, 1);
    const retrying = client(API_KEY, { maxNetworkRetries: 1 });
    expect((await retrying.subscriptions.retrieve(trial.id)).id).toBe(trial.id);
    expect(fake.requests.slice(-2).map((r) => r.status)).toEqual([503, 200]);

    // stripe-node retries a reset connection once even with maxNetworkRetries: 0.
    fake.failNext('drop');
    expect((await stripe.subscriptions.retrieve(trial.id)).id).toBe(trial.id);
    expect(fake.requests.slice(-2).map((r) => r.status)).toEqual([0, 200]);

    fake.delayMs(300);
    const impatient = client(API_KEY, { timeout: 50 });
    await expect(impatient.subscriptions.retrieve(trial.id)).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
    fake.delayMs(0);
    expect((await stripe.subscriptions.retrieve(trial.id)).id).toBe(trial.id);
  });
});
