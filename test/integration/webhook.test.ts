import { describe, expect, it } from 'vitest';
import { handleStripeWebhook } from '../../src/webhook/handle.ts';
import { webhookDeps } from '../../src/webhook/deps.ts';
import { hasPostgres } from '../support/pg.ts';
import { useHarness, testNowSeconds, WEBHOOK_SECRET, WEBHOOK_URL } from '../support/harness.ts';
import { eventBody, loadEvent, newEventId, signedHeader, withChanges } from '../support/stripe-sign.ts';

const USD_PAID = 'checkout.session.completed.payment.usd.paid';

describe.skipIf(!hasPostgres)('stripe-webhook on PostgreSQL', () => {
  const h = useHarness();

  const tableCounts = async () => ({
    events: await h.count('stripe_events'),
    customers: await h.count('customers'),
    purchases: await h.count('purchases'),
    entitlements: await h.count('entitlements'),
    outbox: await h.count('conversion_outbox'),
  });
  const nothing = { events: 0, customers: 0, purchases: 0, entitlements: 0, outbox: 0 };

  describe('signature failures are 400 and write nothing', () => {
    const body = eventBody(loadEvent(USD_PAID));
    const cases: [string, Record<string, string>, string?][] = [
      ['missing header', {}],
      ['malformed header', { 'stripe-signature': 'garbage' }],
      ['wrong secret', { 'stripe-signature': signedHeader(body, 'whsec_test_some_other_secret', testNowSeconds()) }],
      ['stale timestamp', { 'stripe-signature': signedHeader(body, WEBHOOK_SECRET, testNowSeconds() - 301) }],
      ['tampered body', { 'stripe-signature': signedHeader(body, WEBHOOK_SECRET, testNowSeconds()) }, body.replace('"amount_total":4900', '"amount_total":1')],
    ];
    it.each(cases)('%s', async (_name, headers, sentBody = body) => {
      const req = new Request(WEBHOOK_URL, { method: 'POST', body: sentBody, headers });
      const { response } = await handleStripeWebhook(req, webhookDeps(h.newApp()));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: expect.stringMatching(/^invalid signature/) });
      expect(await tableCounts()).toEqual(nothing);
      expect(h.logs.join('\n')).not.toContain('zoe.angstrom');
    });
  });

  it('rejects other methods with 405 and oversized bodies with 413', async () => {
    const app = h.newApp({ WEBHOOK_MAX_BODY_BYTES: '1000' });
    const get = await handleStripeWebhook(new Request(WEBHOOK_URL), webhookDeps(app));
    expect(get.response.status).toBe(405);
    expect(get.response.headers.get('allow')).toBe('POST');
    const big = await h.post(loadEvent(USD_PAID), { app });
    expect(big.status).toBe(413);
    expect(await tableCounts()).toEqual(nothing);
  });

  it('provisions a paid one-time checkout: customer, purchase, entitlement per product, one conversion per platform', async () => {
    const res = await h.post(loadEvent(USD_PAID));
    expect(res).toEqual({ status: 200, body: { received: true, outcome: 'processed', purchase_status: 'paid' } });
    const [purchase] = await h.tdb.sql`select * from purchases`;
    expect(purchase).toMatchObject({ status: 'paid', mode: 'payment', amount_total: '4900', currency: 'usd' });
    const entitlements = await h.tdb.sql`select product_id, status, source_type from entitlements`;
    expect(entitlements).toEqual([{ product_id: expect.stringMatching(/^prod_/), status: 'active', source_type: 'purchase' }]);
    const outbox = await h.tdb.sql`select destination, event_name, event_id from conversion_outbox order by destination`;
    expect(outbox).toEqual([
      { destination: 'meta', event_name: 'Purchase', event_id: purchase!.checkout_session_id },
      { destination: 'tiktok', event_name: 'CompletePayment', event_id: purchase!.checkout_session_id },
    ]);
  });

  it('answers a redelivered event as a duplicate without a second effect', async () => {
    const event = loadEvent(USD_PAID);
    await h.post(event);
    const again = await h.post(event);
    expect(again).toEqual({ status: 200, body: { received: true, outcome: 'duplicate' } });
    expect(await tableCounts()).toEqual({ events: 1, customers: 1, purchases: 1, entitlements: 1, outbox: 2 });
  });

  it('handles the same event delivered 20 times at once, over 20 connections, exactly once', async () => {
    const event = loadEvent(USD_PAID);
    const apps = Array.from({ length: 20 }, () => h.newApp());
    const results = await Promise.all(apps.map((app) => h.post(event, { app })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.outcome === 'processed')).toHaveLength(1);
    expect(results.filter((r) => r.body.outcome === 'duplicate')).toHaveLength(19);
    expect(await tableCounts()).toEqual({ events: 1, customers: 1, purchases: 1, entitlements: 1, outbox: 2 });
  });

  it('holds an unpaid (konbini) checkout until async_payment_succeeded, then provisions once', async () => {
    const pending = await h.post(loadEvent('checkout.session.completed.payment.jpy.unpaid-konbini'));
    expect(pending.body).toMatchObject({ outcome: 'processed', purchase_status: 'pending' });
    expect(await h.count('entitlements')).toBe(0);
    expect(await h.count('conversion_outbox', "status = 'held'")).toBe(2);

    const paid = await h.post(loadEvent('checkout.session.async_payment_succeeded.jpy'));
    expect(paid.body).toMatchObject({ outcome: 'processed', purchase_status: 'paid' });
    expect(await h.count('entitlements', "status = 'active'")).toBe(1);
    expect(await h.count('conversion_outbox')).toBe(2);
    expect(await h.count('conversion_outbox', "status = 'held'")).toBe(0);
    const [row] = await h.tdb.sql`select payload from conversion_outbox where destination = 'meta'`;
    expect(row!.payload).toMatchObject({ currency: 'JPY', value: 5000 });
  });

  it('marks a failed delayed payment failed: no entitlement, held conversions cancelled and emptied', async () => {
    await h.post(loadEvent('checkout.session.completed.payment.jpy.unpaid-konbini'));
    const failed = await h.post(loadEvent('checkout.session.async_payment_failed.jpy'));
    expect(failed.body).toMatchObject({ purchase_status: 'failed' });
    expect(await h.count('entitlements')).toBe(0);
    expect(await h.count('conversion_outbox', "status = 'cancelled' and payload is null")).toBe(2);
  });

  it('records an expired session without access or conversions', async () => {
    const res = await h.post(loadEvent('checkout.session.expired.usd'));
    expect(res.body).toMatchObject({ outcome: 'processed', purchase_status: 'expired' });
    expect(await h.count('entitlements')).toBe(0);
    expect(await h.count('conversion_outbox')).toBe(0);
  });

  it('records an unknown event type as ignored and answers 200', async () => {
    const res = await h.post(loadEvent('customer.created'));
    expect(res).toEqual({ status: 200, body: { received: true, outcome: 'ignored' } });
    const [row] = await h.tdb.sql`select outcome, detail from stripe_events`;
    expect(row).toEqual({ outcome: 'ignored', detail: 'event type customer.created is not handled' });
  });

  it('leaves nothing behind when the transaction fails midway, and the retry succeeds', async () => {
    await h.tdb.sql.unsafe(`
      create function public.fail_for_test() returns trigger language plpgsql as
        $$ begin raise exception 'injected failure'; end $$;
      create trigger fail_for_test before insert on public.entitlements for each row execute function public.fail_for_test();`);
    try {
      const failed = await h.post(loadEvent(USD_PAID));
      expect(failed).toEqual({ status: 500, body: { error: 'database error, retry later' } });
      expect(await tableCounts()).toEqual(nothing);
    } finally {
      await h.tdb.sql.unsafe('drop trigger fail_for_test on public.entitlements; drop function public.fail_for_test();');
    }
    const retried = await h.post(loadEvent(USD_PAID));
    expect(retried.body).toMatchObject({ outcome: 'processed', purchase_status: 'paid' });
    expect(await tableCounts()).toEqual({ events: 1, customers: 1, purchases: 1, entitlements: 1, outbox: 2 });
  });

  it('answers 503 while the database is unreachable, then processes the retried event once', async () => {
    const down = h.newApp({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    const event = loadEvent(USD_PAID);
    const first = await h.post(event, { app: down });
    expect(first).toEqual({ status: 503, body: { error: 'database error, retry later' } });
    const retried = await h.post(event);
    expect(retried.body.outcome).toBe('processed');
    expect(await h.post(event)).toMatchObject({ body: { outcome: 'duplicate' } });
    expect(await tableCounts()).toEqual({ events: 1, customers: 1, purchases: 1, entitlements: 1, outbox: 2 });
  });

  it('answers 503 when the Stripe API fails, writes nothing, and succeeds on the retry', async () => {
    // Two failures: the request and the client's one automatic retry.
    h.stripe.failNext(500, 2);
    const first = await h.post(loadEvent(USD_PAID));
    expect(first.status).toBe(503);
    expect(await tableCounts()).toEqual(nothing);
    const retried = await h.post(loadEvent(USD_PAID));
    expect(retried.body.outcome).toBe('processed');
  });

  it('provisions the purchase as a whole when no Stripe API key is configured', async () => {
    const app = h.newApp({ STRIPE_SECRET_KEY: '' });
    const res = await h.post(loadEvent(USD_PAID), { app });
    expect(res.body).toMatchObject({ outcome: 'processed', purchase_status: 'paid' });
    expect(await h.tdb.sql`select product_id from entitlements`).toEqual([{ product_id: '*' }]);
  });

  it('treats completed + async_payment_succeeded for one session as one purchase and one conversion each', async () => {
    const completed = loadEvent('checkout.session.completed.payment.jpy.unpaid-konbini');
    const paidCompleted = withChanges(completed, { data: { object: { payment_status: 'paid' } } }, { newId: true });
    const succeeded = loadEvent('checkout.session.async_payment_succeeded.jpy');
    await Promise.all([h.post(paidCompleted), h.post(succeeded)]);
    expect(await tableCounts()).toEqual({ events: 2, customers: 1, purchases: 1, entitlements: 1, outbox: 2 });
  });

  it('tells a trial from a free (100 % coupon) subscription by asking Stripe', async () => {
    const checkout = loadEvent('checkout.session.completed.subscription.usd.trialing');
    const trialing = loadEvent('customer.subscription.created.trialing.usd').data.object;
    h.stripe.setObject('subscriptions', trialing.id, { ...trialing, status: 'active', trial_start: null, trial_end: null });
    try {
      const res = await h.post(checkout);
      expect(res.body).toMatchObject({ outcome: 'processed', purchase_status: 'free' });
      expect(await h.tdb.sql`select status from entitlements`).toEqual([{ status: 'active' }]);
      expect(await h.count('conversion_outbox')).toBe(0);
    } finally {
      h.stripe.setObject('subscriptions', trialing.id, trialing);
    }
    await h.reset();
    await h.post(checkout);
    expect(await h.tdb.sql`select status from entitlements`).toEqual([{ status: 'trialing' }]);
    expect(await h.tdb.sql`select event_name from conversion_outbox order by 1`).toEqual([{ event_name: 'StartTrial' }, { event_name: 'StartTrial' }]);
  });

  it('never answers with a redirect', async () => {
    const statuses = await Promise.all([
      h.post(loadEvent(USD_PAID)),
      h.post(loadEvent('customer.created')),
      h.post(withChanges(loadEvent(USD_PAID), {}, { newId: newEventId() }), { secret: 'whsec_test_wrong' }),
    ]);
    for (const { status } of statuses) expect(status < 300 || status >= 400).toBe(true);
  });
});
