/**
 * The fetch-based Stripe client of create-checkout-session against the loopback stand-in, and
 * against stripe-node itself: for the same parameters both send the same form body, version and key.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formEncode } from '../../src/checkout/form-encode.ts';
import { createCheckoutStripe, STRIPE_API_VERSION } from '../../src/checkout/stripe-client.ts';
import { prices, startFakeStripe, type FakeStripe } from '../support/fake-stripe.ts';

const KEY = 'sk_test_client_checks';
let stripe: FakeStripe;
beforeAll(async () => {
  stripe = await startFakeStripe();
});
afterAll(() => stripe?.close());
beforeEach(() => {
  stripe.requests.length = 0;
});

const params: Stripe.Checkout.SessionCreateParams = {
  mode: 'payment',
  line_items: [{ price: prices.licenseUsd.id, quantity: 2 }],
  success_url: 'https://shop.example/thanks?session_id={CHECKOUT_SESSION_ID}',
  cancel_url: 'https://shop.example/',
  client_reference_id: 'user_1',
  customer_creation: 'always',
  metadata: { client_user_agent: "Mozilla/5.0 (X11; Linux) it's *fine*!", event_source_url: 'https://shop.example/p?a=1&b=[2]#x', ad_consent: 'granted' },
  payment_intent_data: { metadata: { ad_consent: 'granted', 'key with space': 'ü € 😀' } },
};

it('speaks the API version of the webhook’s SDK', () => {
  expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
});

it('encodes a session exactly as stripe-node does', async () => {
  const sdk = new Stripe(KEY, { host: '127.0.0.1', port: stripe.port, protocol: 'http', maxNetworkRetries: 0 });
  await sdk.checkout.sessions.create(params);
  const ours = createCheckoutStripe({ secretKey: KEY, baseUrl: stripe.baseUrl, timeoutMs: 2000 });
  const created = await ours.createSession(params, 'checkout-key-1');
  expect(created.ok).toBe(true);
  const [fromSdk, fromUs] = stripe.requests;
  expect(fromUs?.body).toBe(fromSdk?.body);
  expect(fromUs?.body).toBe(formEncode(params as never));
  expect(fromUs?.stripeVersion).toBe(fromSdk?.stripeVersion);
  expect(fromUs?.authorization).toBe(`Bearer ${KEY}`);
  expect(fromUs?.idempotencyKey).toBe('checkout-key-1');
});

describe('failures are values', () => {
  const client = () => createCheckoutStripe({ secretKey: KEY, baseUrl: stripe.baseUrl, timeoutMs: 500 });

  it('a 5xx is retried once with the same idempotency key', async () => {
    stripe.failNext(500);
    const result = await client().createSession(params, 'checkout-retry');
    expect(result.ok).toBe(true);
    const posts = stripe.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => [r.status, r.idempotencyKey])).toEqual([[500, 'checkout-retry'], [200, 'checkout-retry']]);
  });

  it('Stripe’s refusal comes back with its type, code and param, not its message', async () => {
    const result = await client().createSession({ ...params, customer: 'cus_1', customer_email: 'a@example.com', customer_creation: undefined }, 'k2');
    expect(result).toEqual({ ok: false, failure: { status: 400, type: 'invalid_request_error', code: 'parameter_invalid', param: 'customer_email' } });
  });

  it('the stand-in refuses metadata over Stripe’s limits', async () => {
    const long = await client().createSession({ ...params, metadata: { k: 'v'.repeat(501) } }, 'k3');
    expect(long).toMatchObject({ ok: false, failure: { status: 400, param: 'metadata' } });
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(await client().createSession({ ...params, metadata: many }, 'k4')).toMatchObject({ ok: false, failure: { param: 'metadata' } });
  });

  it('a timeout or a dropped connection is status 0', async () => {
    stripe.failNext('drop', 2);
    expect(await client().retrievePrice(prices.licenseUsd.id)).toEqual({ ok: false, failure: { status: 0 } });
    stripe.delayMs(1500);
    try {
      expect(await client().retrievePrice(prices.licenseUsd.id)).toEqual({ ok: false, failure: { status: 0 } });
    } finally {
      stripe.delayMs(0);
    }
  });

  it('reads a price', async () => {
    const result = await client().retrievePrice(prices.proEur.id);
    expect(result).toMatchObject({ ok: true, value: { id: prices.proEur.id, type: 'recurring', currency: 'eur' } });
    expect(await client().retrievePrice('price_Missing')).toMatchObject({ ok: false, failure: { status: 404, code: 'resource_missing' } });
  });
});
