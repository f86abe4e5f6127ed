import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeApi, PINNED_API_VERSION, StripeApiError } from '../../src/stripe/api.ts';
import { fixtureStripeState, lineItemsFor, startFakeStripe, type FakeStripe, type WireLineItem } from '../support/fake-stripe.ts';
import { loadEvent } from '../support/stripe-sign.ts';

const KEY = 'sk_test_fetch_client_unit_tests';

describe('the fetch-based Stripe API client, against the local Stripe stand-in', () => {
  let fake: FakeStripe;
  const usdSession = loadEvent('checkout.session.completed.payment.usd.paid').data.object;
  const eurSession = loadEvent('checkout.session.completed.subscription.eur.paid').data.object;
  const trial = loadEvent('customer.subscription.created.trialing.usd').data.object;
  const api = (timeoutMs = 2000) => createStripeApi({ secretKey: KEY, baseUrl: fake.baseUrl, timeoutMs });
  const since = (n: number) => fake.requests.slice(n);

  beforeAll(async () => {
    fake = await startFakeStripe(fixtureStripeState());
  });
  afterAll(async () => {
    await fake.close();
  });

  it('reads line items with the key and the pinned API version', async () => {
    const before = fake.requests.length;
    const items = await api().listLineItems(usdSession.id);
    expect(items.map((i) => i.id)).toEqual(lineItemsFor.usd.map((i) => i.id));
    expect(items[0]).toMatchObject({ amount_total: lineItemsFor.usd[0]!.amount_total, price: { id: lineItemsFor.usd[0]!.price!.id } });
    expect(since(before)).toEqual([
      expect.objectContaining({ method: 'GET', path: `/v1/checkout/sessions/${usdSession.id}/line_items`, authorization: `Bearer ${KEY}`, stripeVersion: PINNED_API_VERSION, status: 200 }),
    ]);
    expect(PINNED_API_VERSION).toBe('2026-10-28.endive');
  });

  it('pages through long sessions with starting_after', async () => {
    const template = lineItemsFor.kwd[0]!;
    const many: WireLineItem[] = Array.from({ length: 250 }, (_, i) => ({ ...template, id: `li_1Fetch${String(i).padStart(3, '0')}RxFx7Qa2AbCd` }));
    fake.setLineItems('cs_test_a1FetchMany', many);
    const before = fake.requests.length;
    expect((await api().listLineItems('cs_test_a1FetchMany')).map((i) => i.id)).toEqual(many.map((i) => i.id));
    expect(since(before).map((r) => [r.query.limit, r.query.starting_after])).toEqual([
      ['100', undefined], ['100', many[99]!.id], ['100', many[199]!.id],
    ]);
  });

  it('dates a subscription by Stripe\'s Date header', async () => {
    const t0 = Math.floor(Date.now() / 1000);
    const { subscription, readAt } = await api().retrieveSubscription(trial.id);
    expect(subscription).toMatchObject({ id: trial.id, status: trial.status });
    expect(readAt).toBeGreaterThanOrEqual(t0 - 1);
    expect(readAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('finds the session of a subscription and the invoice of a payment intent', async () => {
    const subscription = eurSession.subscription as string;
    expect((await api().findCheckoutSession(subscription))?.id).toBe(eurSession.id);
    expect(await api().findCheckoutSession('sub_1NoSession0RxFx7Qa2')).toBeNull();
    fake.setInvoicePayment('pi_3FetchTest0RxFx7Qa2', 'in_1FetchTest0RxFx7Qa2');
    const before = fake.requests.length;
    expect(await api().findInvoiceId('pi_3FetchTest0RxFx7Qa2')).toBe('in_1FetchTest0RxFx7Qa2');
    expect(since(before)[0]?.query).toEqual({ 'payment[type]': 'payment_intent', 'payment[payment_intent]': 'pi_3FetchTest0RxFx7Qa2', limit: '1' });
    expect(await api().findInvoiceId('pi_3Unknown0RxFx7Qa2')).toBeNull();
  });

  it('retries once after a 5xx, a 429 or a dropped connection', async () => {
    for (const failure of [503, 429, 'drop'] as const) {
      fake.failNext(failure);
      const before = fake.requests.length;
      expect((await api().retrieveSubscription(trial.id)).subscription.id).toBe(trial.id);
      expect(since(before).map((r) => r.status)).toEqual([failure === 'drop' ? 0 : failure, 200]);
    }
  });

  it('fails with the status after the retry, and at once for errors a retry cannot fix', async () => {
    fake.failNext(500, 2);
    const twice = await api().listLineItems(usdSession.id).catch((e: unknown) => e);
    expect(twice).toBeInstanceOf(StripeApiError);
    expect(twice).toMatchObject({ status: 500, message: expect.stringMatching(/^listing line items failed \(500\): Sorry/) });

    fake.failNext(403);
    const before = fake.requests.length;
    await expect(api().findInvoiceId('pi_3Any')).rejects.toMatchObject({ status: 403 });
    expect(since(before)).toHaveLength(1);
    await expect(api().retrieveSubscription('sub_1Missing0RxFx7Qa2')).rejects.toMatchObject({
      status: 404, message: "reading the subscription failed (404): No such subscription: 'sub_1Missing0RxFx7Qa2'",
    });
    const wrongKey = createStripeApi({ secretKey: 'sk_live_not_accepted', baseUrl: fake.baseUrl, timeoutMs: 2000 });
    await expect(wrongKey.retrieveSubscription(trial.id)).rejects.toMatchObject({ status: 401 });
  });

  it('gives up on a Stripe that does not answer in time', async () => {
    fake.delayMs(400);
    try {
      await expect(api(50).retrieveSubscription(trial.id)).rejects.toMatchObject({
        status: undefined, message: 'reading the subscription failed: timed out after 50 ms',
      });
    } finally {
      fake.delayMs(0);
    }
  });
});
