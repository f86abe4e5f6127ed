import { describe, expect, it } from 'vitest';
import { initiateCheckout } from '../../../src/checkout/initiate-checkout.ts';
import type { PriceInfo } from '../../../src/checkout/prices.ts';
import { checkAllowed, planSession, type SessionInput } from '../../../src/checkout/session-params.ts';
import { resolveConsent } from '../../../src/http/consent.ts';

const oneTime: PriceInfo = { id: 'price_One', active: true, recurring: false, currency: 'usd', unitAmount: 4900, product: 'prod_A' };
const addOn: PriceInfo = { id: 'price_Two', active: true, recurring: false, currency: 'usd', unitAmount: 1050, product: 'prod_B' };
const monthly: PriceInfo = { id: 'price_Mo', active: true, recurring: true, currency: 'usd', unitAmount: 1900, product: 'prod_C' };
const base = (prices: PriceInfo[], extra: Partial<SessionInput> = {}): SessionInput => ({
  request: { items: prices.map((p) => ({ price: p.id, quantity: 1 })) },
  prices,
  metadata: { ad_consent: 'granted' },
  successUrl: 'https://s.example/thanks?session_id={CHECKOUT_SESSION_ID}',
  cancelUrl: 'https://s.example/',
  ...extra,
});

describe('checkAllowed', () => {
  it('names the first price outside the list', () => {
    const request = { items: [{ price: 'price_One', quantity: 1 }, { price: 'price_Evil', quantity: 1 }] };
    expect(checkAllowed(request, ['price_One'])).toEqual({ ok: false, error: 'price price_Evil is not for sale here' });
    expect(checkAllowed({ items: [{ price: 'price_One', quantity: 1 }] }, ['price_One'])).toEqual({ ok: true, value: ['price_One'] });
  });
});

describe('planSession', () => {
  it('one-time prices: payment mode, metadata on the payment intent', () => {
    const plan = planSession(base([oneTime, addOn]));
    expect(plan).toMatchObject({ ok: true, value: { mode: 'payment', currency: 'usd' } });
    if (!plan.ok) return;
    expect(plan.value.params).toEqual({
      mode: 'payment',
      line_items: [{ price: 'price_One', quantity: 1 }, { price: 'price_Two', quantity: 1 }],
      success_url: 'https://s.example/thanks?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://s.example/',
      metadata: { ad_consent: 'granted' },
      payment_intent_data: { metadata: { ad_consent: 'granted' } },
    });
  });

  it('recurring prices: subscription mode, metadata on the subscription', () => {
    const plan = planSession(base([monthly], { user: { id: 'u1', email: 'a@b.example' } }));
    if (!plan.ok) throw new Error(plan.error);
    expect(plan.value.params).toMatchObject({ mode: 'subscription', client_reference_id: 'u1', customer_email: 'a@b.example', subscription_data: { metadata: {} } });
    expect(plan.value.params).not.toHaveProperty('customer_creation');
  });

  it('a known customer replaces the email; a signed-in buyer without one gets a Customer created', () => {
    const known = planSession(base([oneTime], { user: { id: 'u1', email: 'a@b.example' }, customerId: 'cus_1' }));
    if (!known.ok) throw new Error(known.error);
    expect(known.value.params).toMatchObject({ customer: 'cus_1', client_reference_id: 'u1' });
    expect(known.value.params).not.toHaveProperty('customer_email');
    const fresh = planSession(base([oneTime], { user: { id: 'u1' } }));
    if (!fresh.ok) throw new Error(fresh.error);
    expect(fresh.value.params).toMatchObject({ customer_creation: 'always', client_reference_id: 'u1' });
  });

  it('refuses mixed modes, mixed currencies and inactive prices', () => {
    expect(planSession(base([oneTime, monthly]))).toEqual({ ok: false, error: 'one-time and recurring prices cannot be bought in one checkout' });
    expect(planSession(base([oneTime, { ...addOn, currency: 'eur' }]))).toEqual({ ok: false, error: 'the prices are in different currencies' });
    expect(planSession(base([{ ...oneTime, active: false }]))).toEqual({ ok: false, error: 'price price_One is not available' });
  });
});

describe('initiateCheckout', () => {
  const input = {
    sessionId: 'cs_test_1',
    livemode: false,
    request: { items: [{ price: 'price_One', quantity: 2 }, { price: 'price_Two', quantity: 1 }] },
    prices: [oneTime, addOn],
    currency: 'usd',
    user: { id: 'user-1', email: 'Pat@Example.com' },
    context: { ipAddress: '203.0.113.1', userAgent: 'UA', fbp: 'fb.1.1.2', eventSourceUrl: 'https://s.example/p' },
    eventTime: 1796000000,
  };

  it('event id = session id, value summed in minor units, user hashed', () => {
    const c = initiateCheckout({ ...input, consent: resolveConsent('granted', false) });
    expect(c).toMatchObject({
      kind: 'initiate_checkout',
      eventId: 'cs_test_1',
      value: 108.5,
      currency: 'USD',
      items: [{ id: 'prod_A', quantity: 2, price: 49 }, { id: 'prod_B', quantity: 1, price: 10.5 }],
      client: { ipAddress: '203.0.113.1', userAgent: 'UA', fbp: 'fb.1.1.2' },
      page: { url: 'https://s.example/p' },
      consent: 'granted',
    });
    expect(c.user.externalId).toMatch(/^[0-9a-f]{64}$/);
    expect(c.user.email).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(c)).not.toContain('Pat@Example.com');
    expect(JSON.stringify(c)).not.toContain('user-1');
  });

  it('denied: no identifier at all', () => {
    const c = initiateCheckout({ ...input, consent: resolveConsent('denied', false) });
    expect(c).toMatchObject({ user: {}, client: {}, page: {}, consent: 'denied' });
  });
});
